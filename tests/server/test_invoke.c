/* Invoke: secrets, paused webhooks, permissions, and the HTTP-level
 * statuses 404, 405, 413 and 415. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#define HELLO "{\"action\":\"message\",\"payload\":{\"text\":\"hello\"}}"

static struct fixture fx;

/* Webhook A and B in ROOM, C in OTHER_ROOM. */
static json_t *hook_a;
static json_t *hook_b;
static json_t *hook_c;

static const char *id_of(const json_t *created)
{
    return json_string_value(json_object_get(json_object_get(created, "webhook"), "id"));
}

static const char *secret_of(const json_t *created)
{
    return json_string_value(json_object_get(created, "secret"));
}

static int group_setup(void **state)
{
    (void)state;
    if (fixture_setup(&fx, NULL) != 0)
        return -1;
    hook_a = fixture_create_webhook(&fx, ROOM, fx.owner_token, "{\"label\":\"A\"}");
    hook_b = fixture_create_webhook(&fx, ROOM, fx.owner_token, "{\"label\":\"B\",\"permissions\":[\"poll\"]}");
    hook_c = fixture_create_webhook(&fx, OTHER_ROOM, fx.other_token, "{\"label\":\"C\"}");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    json_decref(hook_a);
    json_decref(hook_b);
    json_decref(hook_c);
    return fixture_teardown(&fx);
}

static void right_secret_is_accepted(void **state)
{
    struct reply reply;
    (void)state;

    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), secret_of(hook_a), HELLO, &reply), 200);
    assert_true(json_is_true(json_object_get(reply.json, "ok")));
    assert_string_equal(json_string_value(json_object_get(reply.json, "kind")), "message");
    assert_true(strncmp(json_string_value(json_object_get(reply.json, "messageId")), "msg_", 4) == 0);
    assert_null(json_object_get(reply.json, "pollId"));
    reply_free(&reply);
}

static void missing_or_wrong_secret_gets_401(void **state)
{
    struct reply reply;
    char wrong[128];
    (void)state;

    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), NULL, HELLO, &reply), 401);
    assert_non_null(strstr(reply_error_text(&reply), "secret"));
    reply_free(&reply);

    snprintf(wrong, sizeof wrong, "%s", secret_of(hook_a));
    wrong[strlen(wrong) - 1] ^= 0x01;
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), wrong, HELLO, NULL), 401);
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), "", HELLO, NULL), 401);
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), "whk_", HELLO, NULL), 401);
}

static void secret_of_other_webhook_gets_401(void **state)
{
    (void)state;

    /* Same room. */
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), secret_of(hook_b), HELLO, NULL), 401);
    /* Across rooms, both ways. */
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), secret_of(hook_c), HELLO, NULL), 401);
    assert_int_equal(fixture_invoke(&fx, OTHER_ROOM, id_of(hook_c), secret_of(hook_a), HELLO, NULL), 401);
    /* A webhook ID under the wrong room does not exist there. */
    assert_int_equal(fixture_invoke(&fx, OTHER_ROOM, id_of(hook_a), secret_of(hook_a), HELLO, NULL), 404);
}

static void bearer_token_is_not_a_secret(void **state)
{
    char *url = fixture_url(&fx, "webhooks/%R/%W/invoke", ROOM, id_of(hook_a));
    struct reply reply;
    (void)state;

    fixture_request(&fx, "POST", url, fx.owner_token, NULL, HELLO, &reply);
    assert_int_equal(reply.status, 401);
    reply_free(&reply);
    free(url);
}

static void missing_permission_gets_403(void **state)
{
    struct reply reply;
    (void)state;

    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_b), secret_of(hook_b), HELLO, &reply), 403);
    assert_string_equal(reply_error_text(&reply), "webhook lacks the message permission");
    reply_free(&reply);

    /* Permission is checked before the payload rules. */
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_b), secret_of(hook_b),
                                    "{\"action\":\"image\",\"payload\":{}}", NULL), 403);
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_b), secret_of(hook_b),
                                    "{\"action\":\"poll\",\"payload\":{\"question\":\"q\",\"options\":[\"a\",\"b\"]}}",
                                    NULL), 200);
}

static void paused_webhook_gets_403(void **state)
{
    char *url = fixture_url(&fx, "webhooks/%R/%W", OTHER_ROOM, id_of(hook_c));
    struct reply reply;
    (void)state;

    fixture_request(&fx, "PATCH", url, fx.other_token, NULL, "{\"paused\":true}", &reply);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    assert_int_equal(fixture_invoke(&fx, OTHER_ROOM, id_of(hook_c), secret_of(hook_c), HELLO, &reply), 403);
    assert_string_equal(reply_error_text(&reply), "webhook is paused");
    reply_free(&reply);

    fixture_request(&fx, "PATCH", url, fx.other_token, NULL, "{\"paused\":false}", &reply);
    reply_free(&reply);
    assert_int_equal(fixture_invoke(&fx, OTHER_ROOM, id_of(hook_c), secret_of(hook_c), HELLO, NULL), 200);
    free(url);
}

static void rotate_kills_old_secret(void **state)
{
    json_t *hook = fixture_create_webhook(&fx, ROOM, fx.admin_token, "{\"label\":\"rotating\"}");
    char *url = fixture_url(&fx, "webhooks/%R/%W/rotate", ROOM, id_of(hook));
    char old_secret[128];
    struct reply reply;
    const char *new_secret;
    (void)state;

    snprintf(old_secret, sizeof old_secret, "%s", secret_of(hook));
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook), old_secret, HELLO, NULL), 200);

    fixture_request(&fx, "POST", url, fx.admin_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 200);
    new_secret = secret_of(reply.json);
    assert_non_null(new_secret);
    assert_string_not_equal(new_secret, old_secret);
    assert_true(strncmp(new_secret, "whk_", 4) == 0);
    assert_string_equal(id_of(reply.json), id_of(hook));
    assert_non_null(json_object_get(reply.json, "invokeUrl"));
    assert_null(strstr(json_string_value(json_object_get(reply.json, "exampleCurl")), new_secret));

    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook), old_secret, HELLO, NULL), 401);
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook), new_secret, HELLO, NULL), 200);
    reply_free(&reply);
    free(url);
    json_decref(hook);
}

static void unknown_webhook_and_room_get_404(void **state)
{
    (void)state;
    assert_int_equal(fixture_invoke(&fx, ROOM, "wh_nope", secret_of(hook_a), HELLO, NULL), 404);
    assert_int_equal(fixture_invoke(&fx, "nowhere", id_of(hook_a), secret_of(hook_a), HELLO, NULL), 404);
}

static void unknown_routes_get_404_json(void **state)
{
    static const char *const paths[] = {
        "/", "/api", "/api/", "/webhooks/r", "/api/nothing", "/api/webhooks",
        "/api/webhooks/r/w/invoke/extra", "/api/rooms/r", "/api/rooms/r/other",
        "/api/webhooks//w", "/api/webhooks/r%2", "/api/webhooks/r%00x",
    };
    (void)state;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char url[512];
        struct reply reply;
        snprintf(url, sizeof url, "%s%s", fx.server.base_url, paths[i]);
        fixture_request(&fx, "GET", url, fx.owner_token, NULL, NULL, &reply);
        if (reply.status != 404)
            print_error("GET %s: %ld %s\n", paths[i], reply.status, reply.body);
        assert_int_equal(reply.status, 404);
        assert_non_null(reply.json);
        assert_string_equal(reply_error_text(&reply), "no such endpoint");
        reply_free(&reply);
    }
}

static void wrong_methods_get_405_with_allow(void **state)
{
    static const struct {
        const char *method;
        const char *path;
        const char *allow;
    } cases[] = {
        { "PUT", "webhooks/%R", "GET, HEAD, POST" },
        { "GET", "webhooks/%R/%W", "PATCH, DELETE" },
        { "GET", "webhooks/%R/%W/invoke", "POST" },
        { "DELETE", "webhooks/%R/%W/rotate", "POST" },
        { "POST", "webhooks/%R/meta/permitted-actions", "GET, HEAD" },
        { "POST", "rooms/%R/messages", "GET, HEAD" },
        { "DELETE", "rooms/%R/board", "GET, HEAD" },
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *url = fixture_url(&fx, cases[i].path, ROOM, id_of(hook_a));
        struct reply reply;
        fixture_request(&fx, cases[i].method, url, fx.owner_token, NULL, NULL, &reply);
        assert_int_equal(reply.status, 405);
        assert_non_null(reply.json);
        assert_non_null(reply.allow);
        assert_string_equal(reply.allow, cases[i].allow);
        reply_free(&reply);
        free(url);
    }
}

static void non_json_body_gets_415(void **state)
{
    char *url = fixture_url(&fx, "webhooks/%R/%W/invoke", ROOM, id_of(hook_a));
    char secret_header[256];
    struct test_http_response response;
    (void)state;

    snprintf(secret_header, sizeof secret_header, "x-stay-webhook-secret: %s", secret_of(hook_a));
    const char *text_plain[] = { secret_header, "Content-Type: text/plain", NULL };
    const char *no_type[] = { secret_header, "Content-Type:", NULL };
    const char *form[] = { secret_header, NULL }; /* curl sends form-urlencoded */
    const char *json_charset[] = { secret_header, "Content-Type: application/json; charset=utf-8", NULL };
    const char *const *cases[] = { text_plain, no_type, form };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(test_http("POST", url, cases[i], HELLO, (size_t)-1, &response), 0);
        assert_int_equal(response.status, 415);
        assert_non_null(strstr(response.body, "\"error\""));
        test_http_response_free(&response);
    }
    assert_int_equal(test_http("POST", url, json_charset, HELLO, (size_t)-1, &response), 0);
    assert_int_equal(response.status, 200);
    test_http_response_free(&response);
    free(url);

    /* Routing comes first: a wrong path or method is not a 415. */
    url = fixture_url(&fx, "nothing/%R", ROOM, NULL);
    assert_int_equal(test_http("POST", url, text_plain, HELLO, (size_t)-1, &response), 0);
    assert_int_equal(response.status, 404);
    test_http_response_free(&response);
    free(url);
    url = fixture_url(&fx, "webhooks/%R", ROOM, NULL);
    assert_int_equal(test_http("PUT", url, text_plain, HELLO, (size_t)-1, &response), 0);
    assert_int_equal(response.status, 405);
    test_http_response_free(&response);
    free(url);
}

static void oversized_body_gets_413(void **state)
{
    char *url = fixture_url(&fx, "webhooks/%R/%W/invoke", ROOM, id_of(hook_a));
    size_t size = 256 * 1024 + 1;
    char *body = malloc(size);
    char secret_header[256];
    struct test_http_response response;
    (void)state;

    snprintf(secret_header, sizeof secret_header, "x-stay-webhook-secret: %s", secret_of(hook_a));
    const char *headers[] = { secret_header, "Content-Type: application/json", NULL };
    const char *chunked[] = { secret_header, "Content-Type: application/json",
                              "Transfer-Encoding: chunked", NULL };

    /* A JSON string padded with spaces: valid JSON if it were accepted. */
    memset(body, ' ', size);
    memcpy(body, HELLO, strlen(HELLO));
    assert_int_equal(test_http("POST", url, headers, body, size, &response), 0);
    assert_int_equal(response.status, 413);
    assert_non_null(strstr(response.body, "larger than 262144 bytes"));
    test_http_response_free(&response);

    /* Without Content-Length the cap applies while reading. */
    assert_int_equal(test_http("POST", url, chunked, body, size, &response), 0);
    assert_int_equal(response.status, 413);
    test_http_response_free(&response);

    /* Exactly 256 KiB is allowed. */
    assert_int_equal(test_http("POST", url, headers, body, size - 1, &response), 0);
    assert_int_equal(response.status, 200);
    test_http_response_free(&response);

    free(body);
    free(url);
}

static void bad_json_gets_400(void **state)
{
    struct reply reply;
    (void)state;

    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), secret_of(hook_a), "{\"action\":", &reply), 400);
    assert_non_null(strstr(reply_error_text(&reply), "not valid JSON"));
    reply_free(&reply);
    /* jansson quotes the bytes near the error, here invalid UTF-8, and the
     * error reply must still be valid JSON. */
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), secret_of(hook_a),
                                    "{\"label\":\"caf\\u0\xD0\x99\"}", &reply), 400);
    assert_non_null(strstr(reply_error_text(&reply), "not valid JSON"));
    reply_free(&reply);
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), secret_of(hook_a), "\"text\"", NULL), 400);
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), secret_of(hook_a), NULL, &reply), 400);
    assert_string_equal(reply_error_text(&reply), "request body must be a JSON object");
    reply_free(&reply);
}

static void nul_bytes_in_body_get_400(void **state)
{
    static const char trailing[] = HELLO "\0junk";
    char *url = fixture_url(&fx, "webhooks/%R/%W/invoke", ROOM, id_of(hook_a));
    char secret_header[256];
    struct test_http_response response;
    struct reply reply;
    json_t *body;
    (void)state;

    snprintf(secret_header, sizeof secret_header, "x-stay-webhook-secret: %s", secret_of(hook_a));
    const char *headers[] = { secret_header, "Content-Type: application/json", NULL };

    /* A raw NUL byte after a valid object must not end the body early. */
    assert_int_equal(test_http("POST", url, headers, trailing, sizeof trailing - 1, &response), 0);
    assert_int_equal(response.status, 400);
    body = json_loads(response.body, 0, NULL);
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(body, "error")),
                        "request body is not valid JSON: it contains a NUL byte at offset 47");
    json_decref(body);
    test_http_response_free(&response);

    /* An escaped NUL gets a message without jansson's flag names. */
    assert_int_equal(fixture_invoke(&fx, ROOM, id_of(hook_a), secret_of(hook_a),
                                    "{\"action\":\"message\",\"payload\":{\"text\":\"a\\u0000b\"}}",
                                    &reply), 400);
    assert_non_null(strstr(reply_error_text(&reply), "strings must not contain \\u0000"));
    assert_null(strstr(reply_error_text(&reply), "JSON_ALLOW_NUL"));
    reply_free(&reply);
    free(url);
}

static void server_log_holds_no_secret_or_token(void **state)
{
    FILE *log = fopen(fx.server.log_path, "r");
    char line[2048];
    int lines = 0;
    (void)state;

    assert_non_null(log);
    while (fgets(line, sizeof line, log) != NULL) {
        lines++;
        assert_null(strstr(line, secret_of(hook_a)));
        assert_null(strstr(line, secret_of(hook_b)));
        assert_null(strstr(line, fx.owner_token));
        assert_null(strstr(line, "whk_"));
        assert_null(strstr(line, "alpha"));
    }
    fclose(log);
    /* Start line plus one line per request made so far. */
    assert_true(lines > 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(right_secret_is_accepted),
        cmocka_unit_test(missing_or_wrong_secret_gets_401),
        cmocka_unit_test(secret_of_other_webhook_gets_401),
        cmocka_unit_test(bearer_token_is_not_a_secret),
        cmocka_unit_test(missing_permission_gets_403),
        cmocka_unit_test(paused_webhook_gets_403),
        cmocka_unit_test(rotate_kills_old_secret),
        cmocka_unit_test(unknown_webhook_and_room_get_404),
        cmocka_unit_test(unknown_routes_get_404_json),
        cmocka_unit_test(wrong_methods_get_405_with_allow),
        cmocka_unit_test(non_json_body_gets_415),
        cmocka_unit_test(oversized_body_gets_413),
        cmocka_unit_test(bad_json_gets_400),
        cmocka_unit_test(nul_bytes_in_body_get_400),
        cmocka_unit_test(server_log_holds_no_secret_or_token),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
