#define _POSIX_C_SOURCE 200809L
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

int fixture_setup(struct fixture *fx, const char *const *extra_args)
{
    const char *room[] = { "room", "add", ROOM, "--owner", "alice", "--admin", "adam",
                           "--member", "mia", NULL };
    const char *other[] = { "room", "add", OTHER_ROOM, "--owner", "olga", NULL };

    memset(fx, 0, sizeof *fx);
    if (test_temp_dir(fx->dir, sizeof fx->dir) != 0 ||
        test_path_join(fx->db, sizeof fx->db, fx->dir, "server.db") != 0)
        goto fail;
    if (test_server_start(&fx->server, fx->db, extra_args) != 0)
        goto fail;
    if (test_server_command(fx->db, room, NULL, 0) != 0 ||
        test_server_command(fx->db, other, NULL, 0) != 0)
        goto fail;
    fx->owner_token = test_mint_token(fx->db, "alice", 0);
    fx->admin_token = test_mint_token(fx->db, "adam", 0);
    fx->member_token = test_mint_token(fx->db, "mia", 0);
    fx->stranger_token = test_mint_token(fx->db, "sam", 0);
    fx->other_token = test_mint_token(fx->db, "olga", 0);
    if (fx->owner_token == NULL || fx->admin_token == NULL || fx->member_token == NULL ||
        fx->stranger_token == NULL || fx->other_token == NULL)
        goto fail;
    return 0;

fail:
    /* Stop the server at once. cmocka 1.1.5 still runs the group teardown
     * after a failed setup, and a second fixture_teardown() does nothing. */
    fixture_teardown(fx);
    return -1;
}

int fixture_teardown(struct fixture *fx)
{
    int status = 0;

    /* A non-zero exit after SIGTERM means an unclean stop, or leaks or
     * memory errors when the server is built with sanitizers; show its log. */
    if (fx->server.pid > 0)
        status = test_server_stop(&fx->server);
    if (status != 0) {
        FILE *log = fopen(fx->server.log_path, "r");
        char line[1024];
        fprintf(stderr, "server exited with status %d; its log:\n", status);
        while (log != NULL && fgets(line, sizeof line, log) != NULL)
            fputs(line, stderr);
        if (log != NULL)
            fclose(log);
    }
    free(fx->owner_token);
    free(fx->admin_token);
    free(fx->member_token);
    free(fx->stranger_token);
    free(fx->other_token);
    if (fx->dir[0] != '\0')
        test_remove_tree(fx->dir);
    memset(fx, 0, sizeof *fx);
    return status == 0 ? 0 : -1;
}

char *fixture_url(const struct fixture *fx, const char *path, const char *room, const char *webhook)
{
    char *room_enc = test_percent_encode(room != NULL ? room : "");
    char *hook_enc = test_percent_encode(webhook != NULL ? webhook : "");
    size_t size = strlen(fx->server.base_url) + strlen(path) + strlen(room_enc) + strlen(hook_enc) + 16;
    char *url = malloc(size);
    size_t o;

    assert_non_null(url);
    o = (size_t)snprintf(url, size, "%s/api/", fx->server.base_url);
    for (const char *p = path; *p != '\0'; p++) {
        if (p[0] == '%' && p[1] == 'R') {
            o += (size_t)snprintf(url + o, size - o, "%s", room_enc);
            p++;
        } else if (p[0] == '%' && p[1] == 'W') {
            o += (size_t)snprintf(url + o, size - o, "%s", hook_enc);
            p++;
        } else {
            url[o++] = *p;
        }
    }
    url[o] = '\0';
    free(room_enc);
    free(hook_enc);
    return url;
}

void fixture_request(const struct fixture *fx, const char *method, const char *url,
                     const char *token, const char *secret, const char *body, struct reply *out)
{
    char auth[4096];
    char secret_header[512];
    const char *headers[4];
    size_t n = 0;
    struct test_http_response response;
    (void)fx;

    memset(out, 0, sizeof *out);
    if (token != NULL) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        headers[n++] = auth;
    }
    if (secret != NULL) {
        snprintf(secret_header, sizeof secret_header, "x-stay-webhook-secret: %s", secret);
        headers[n++] = secret_header;
    }
    if (body != NULL)
        headers[n++] = "Content-Type: application/json";
    headers[n] = NULL;

    assert_int_equal(test_http(method, url, headers, body, (size_t)-1, &response), 0);
    out->status = response.status;
    out->body = response.body;
    out->json = json_loads(response.body, 0, NULL);
    out->retry_after = test_http_header(&response, "Retry-After");
    out->allow = test_http_header(&response, "Allow");
    response.body = NULL;
    test_http_response_free(&response);
}

void reply_free(struct reply *reply)
{
    json_decref(reply->json);
    free(reply->body);
    free(reply->retry_after);
    free(reply->allow);
    memset(reply, 0, sizeof *reply);
}

json_t *fixture_create_webhook(const struct fixture *fx, const char *room, const char *token,
                               const char *body_json)
{
    char *url = fixture_url(fx, "webhooks/%R", room, NULL);
    struct reply reply;
    json_t *result;

    fixture_request(fx, "POST", url, token, NULL, body_json, &reply);
    free(url);
    if (reply.status != 201)
        fprintf(stderr, "create webhook: %ld %s\n", reply.status, reply.body);
    assert_int_equal(reply.status, 201);
    assert_non_null(reply.json);
    result = json_incref(reply.json);
    reply_free(&reply);
    return result;
}

long fixture_invoke(const struct fixture *fx, const char *room, const char *webhook,
                    const char *secret, const char *body_json, struct reply *out)
{
    char *url = fixture_url(fx, "webhooks/%R/%W/invoke", room, webhook);
    struct reply reply;
    long status;

    fixture_request(fx, "POST", url, NULL, secret, body_json, &reply);
    free(url);
    status = reply.status;
    if (out != NULL)
        *out = reply;
    else
        reply_free(&reply);
    return status;
}

const char *reply_error_text(const struct reply *reply)
{
    const char *text = json_string_value(json_object_get(reply->json, "error"));

    return text != NULL ? text : "";
}
