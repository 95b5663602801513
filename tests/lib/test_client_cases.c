/* test_client_cases.c: runs every case of tests/data/client-cases.json
 * against the library. Request cases go to a capture server that replaces
 * the case's host (the cases name localhost:3000, which is never
 * contacted); reply cases get the scripted reply. Each case is its own
 * cmocka test named after the case. */
#define _POSIX_C_SOURCE 200809L

#include "test_server.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stayhooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef STAYHOOKS_TEST_DATA_DIR
#error "STAYHOOKS_TEST_DATA_DIR must name the folder holding client-cases.json"
#endif

#define MAX_LIST 32

static test_server *server;
static json_t *cases;

/* Everything a call can return, so one checker handles every call. */
typedef struct call_result {
    int rc;
    stayhooks_error *err;
    stayhooks_invoke_result *invoke;
    stayhooks_webhook_list *list;
    stayhooks_secret_bundle *bundle;
    stayhooks_webhook *webhook;
    stayhooks_permitted_actions *actions;
    int delete_ok;
} call_result;

static void call_result_free(call_result *r)
{
    stayhooks_error_free(r->err);
    stayhooks_invoke_result_free(r->invoke);
    stayhooks_webhook_list_free(r->list);
    stayhooks_secret_bundle_free(r->bundle);
    stayhooks_webhook_free(r->webhook);
    stayhooks_permitted_actions_free(r->actions);
}

/* Returns the length of "scheme://host:port" at the start of `url`. */
static size_t origin_length(const char *url)
{
    const char *host = strstr(url, "://");
    assert_non_null(host);
    const char *slash = strchr(host + 3, '/');
    return slash != NULL ? (size_t)(slash - url) : strlen(url);
}

/* Replaces the origin of `url` with the capture server's. */
static char *redirect_to_server(const char *url)
{
    const char *base = test_server_base_url(server);
    const char *rest = url + origin_length(url);
    char *out = malloc(strlen(base) + strlen(rest) + 1);
    assert_non_null(out);
    strcpy(out, base);
    strcat(out, rest);
    return out;
}

static const char *arg_string(const json_t *args, const char *key)
{
    const json_t *value = json_object_get(args, key);
    if (value == NULL)
        return NULL;
    if (!json_is_string(value))
        fail_msg("argument %s must be a string", key);
    return json_string_value(value);
}

/* Collects a string array argument. Returns 0 when it is absent. */
static int arg_strings(const json_t *args, const char *key, const char **items, size_t *count)
{
    const json_t *array = json_object_get(args, key);
    *count = 0;
    if (array == NULL)
        return 0;
    assert_true(json_is_array(array));
    assert_true(json_array_size(array) <= MAX_LIST);
    for (size_t i = 0; i < json_array_size(array); i++) {
        const json_t *item = json_array_get(array, i);
        assert_true(json_is_string(item));
        items[i] = json_string_value(item);
    }
    *count = json_array_size(array);
    return 1;
}

/* Returns the argument as compact JSON text (caller frees), or NULL. */
static char *arg_json(const json_t *args, const char *key)
{
    const json_t *value = json_object_get(args, key);
    if (value == NULL)
        return NULL;
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(text);
    return text;
}

/* Fails on argument names that no mapping below reads, so a new argument
 * in the data file cannot be silently ignored. */
static void check_known_args(const json_t *args, const char *const *known)
{
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)args, key, value)
    {
        int found = 0;
        for (const char *const *k = known; *k != NULL; k++) {
            if (strcmp(*k, key) == 0)
                found = 1;
        }
        if (!found)
            fail_msg("argument \"%s\" is not mapped to the C API", key);
        (void)value;
    }
}

static void target_from_args(const json_t *args, stayhooks_target *target, char **owned_url)
{
    const char *invoke_url = arg_string(args, "invoke_url");
    *owned_url = invoke_url != NULL ? redirect_to_server(invoke_url) : NULL;
    target->room_id = arg_string(args, "room_id");
    target->webhook_id = arg_string(args, "webhook_id");
    target->invoke_url = *owned_url;
    target->secret = arg_string(args, "secret");
}

static void run_invoke_call(stayhooks_client *client, const char *call, const json_t *args,
                            call_result *r)
{
    static const char *const target_args[] = { "room_id", "webhook_id", "invoke_url", "secret",
                                               NULL };
    stayhooks_target target;
    char *invoke_url = NULL;
    char *extra = NULL;
    const char *list[MAX_LIST];
    size_t count = 0;
    (void)target_args;

    target_from_args(args, &target, &invoke_url);

    if (strcmp(call, "send_message") == 0) {
        static const char *const known[] = { "room_id", "webhook_id", "invoke_url", "secret",
                                             "text", "alias", "extra", NULL };
        check_known_args(args, known);
        extra = arg_json(args, "extra");
        stayhooks_message message = { arg_string(args, "text"), arg_string(args, "alias"),
                                      extra };
        r->rc = stayhooks_send_message(client, &target, &message, &r->invoke, &r->err);
    } else if (strcmp(call, "send_embed") == 0) {
        static const char *const known[] = { "room_id", "webhook_id", "invoke_url", "secret",
                                             "title", "description", "color", "url", "image",
                                             "footer", "notes", "text", "alias",
                                             "extra_embed_fields", NULL };
        check_known_args(args, known);
        extra = arg_json(args, "extra_embed_fields");
        stayhooks_embed embed = { 0 };
        embed.title = arg_string(args, "title");
        embed.description = arg_string(args, "description");
        embed.color = arg_string(args, "color");
        embed.url = arg_string(args, "url");
        embed.image = arg_string(args, "image");
        embed.footer = arg_string(args, "footer");
        if (arg_strings(args, "notes", list, &count)) {
            embed.notes = list;
            embed.note_count = count;
        }
        embed.text = arg_string(args, "text");
        embed.alias = arg_string(args, "alias");
        embed.extra_embed_json = extra;
        r->rc = stayhooks_send_embed(client, &target, &embed, &r->invoke, &r->err);
    } else if (strcmp(call, "send_poll") == 0) {
        static const char *const known[] = { "room_id", "webhook_id", "invoke_url", "secret",
                                             "question", "options", "multiple_choice",
                                             "ends_in_minutes", NULL };
        check_known_args(args, known);
        stayhooks_poll poll = { 0 };
        poll.question = arg_string(args, "question");
        arg_strings(args, "options", list, &count);
        poll.options = list;
        poll.option_count = count;
        poll.multiple_choice = json_is_true(json_object_get(args, "multiple_choice"));
        poll.ends_in_minutes = (int)json_integer_value(json_object_get(args, "ends_in_minutes"));
        r->rc = stayhooks_send_poll(client, &target, &poll, &r->invoke, &r->err);
    } else if (strcmp(call, "send_image") == 0) {
        static const char *const known[] = { "room_id", "webhook_id", "invoke_url", "secret",
                                             "url", "size", "position", NULL };
        check_known_args(args, known);
        stayhooks_image image = { 0 };
        image.url = arg_string(args, "url");
        const json_t *size = json_object_get(args, "size");
        const json_t *position = json_object_get(args, "position");
        if (size != NULL) {
            assert_int_equal(json_array_size(size), 2);
            image.has_size = 1;
            image.w = (int)json_integer_value(json_array_get(size, 0));
            image.h = (int)json_integer_value(json_array_get(size, 1));
        }
        if (position != NULL) {
            assert_int_equal(json_array_size(position), 2);
            image.has_position = 1;
            image.x = (int)json_integer_value(json_array_get(position, 0));
            image.y = (int)json_integer_value(json_array_get(position, 1));
        }
        r->rc = stayhooks_send_image(client, &target, &image, &r->invoke, &r->err);
    } else {
        static const char *const known[] = { "room_id", "webhook_id", "invoke_url", "secret",
                                             "action", "payload", NULL };
        check_known_args(args, known);
        extra = arg_json(args, "payload");
        r->rc = stayhooks_invoke(client, &target, arg_string(args, "action"), extra, &r->invoke,
                                 &r->err);
    }

    free(extra);
    free(invoke_url);
}

static void run_manage_call(stayhooks_client *client, const char *call, const json_t *args,
                            call_result *r)
{
    const char *room = arg_string(args, "room_id");
    const char *hook = arg_string(args, "webhook_id");
    const char *list[MAX_LIST];
    size_t count = 0;

    if (strcmp(call, "list_webhooks") == 0) {
        static const char *const known[] = { "room_id", NULL };
        check_known_args(args, known);
        r->rc = stayhooks_list_webhooks(client, room, &r->list, &r->err);
    } else if (strcmp(call, "create_webhook") == 0) {
        static const char *const known[] = { "room_id", "label", "permissions", NULL };
        check_known_args(args, known);
        int given = arg_strings(args, "permissions", list, &count);
        r->rc = stayhooks_create_webhook(client, room, arg_string(args, "label"),
                                         given ? list : NULL, count, &r->bundle, &r->err);
    } else if (strcmp(call, "update_webhook") == 0) {
        static const char *const known[] = { "room_id", "webhook_id", "label", "permissions",
                                             "paused", NULL };
        check_known_args(args, known);
        stayhooks_webhook_update update = STAYHOOKS_WEBHOOK_UPDATE_INIT;
        update.label = arg_string(args, "label");
        if (arg_strings(args, "permissions", list, &count)) {
            update.permissions = list;
            update.permission_count = count;
        }
        const json_t *paused = json_object_get(args, "paused");
        if (paused != NULL)
            update.paused = json_is_true(paused) ? 1 : 0;
        r->rc = stayhooks_update_webhook(client, room, hook, &update, &r->webhook, &r->err);
    } else if (strcmp(call, "rotate_secret") == 0) {
        static const char *const known[] = { "room_id", "webhook_id", NULL };
        check_known_args(args, known);
        r->rc = stayhooks_rotate_secret(client, room, hook, &r->bundle, &r->err);
    } else if (strcmp(call, "delete_webhook") == 0) {
        static const char *const known[] = { "room_id", "webhook_id", NULL };
        check_known_args(args, known);
        r->delete_ok = -1;
        r->rc = stayhooks_delete_webhook(client, room, hook, &r->delete_ok, &r->err);
    } else if (strcmp(call, "get_permitted_actions") == 0) {
        static const char *const known[] = { "room_id", NULL };
        check_known_args(args, known);
        r->rc = stayhooks_get_permitted_actions(client, room, &r->actions, &r->err);
    } else {
        fail_msg("call \"%s\" is not mapped to the C API", call);
    }
}

static int is_invoke_call(const char *call)
{
    return strcmp(call, "send_message") == 0 || strcmp(call, "send_embed") == 0 ||
           strcmp(call, "send_poll") == 0 || strcmp(call, "send_image") == 0 ||
           strcmp(call, "invoke_webhook") == 0;
}

static void run_call(stayhooks_client *client, const char *call, const json_t *args,
                     call_result *r)
{
    if (is_invoke_call(call))
        run_invoke_call(client, call, args, r);
    else
        run_manage_call(client, call, args, r);
}

static stayhooks_client *client_for(const json_t *config, int dry_run, char **base_owned)
{
    stayhooks_options opts;
    stayhooks_options_init(&opts);
    static const char *const known[] = { "base_url", "token", "default_alias", "api_prefix",
                                         NULL };
    check_known_args(config, known);

    const char *base = arg_string(config, "base_url");
    *base_owned = redirect_to_server(base != NULL ? base : "http://localhost:3000");
    opts.base_url = *base_owned;
    opts.token = arg_string(config, "token");
    opts.default_alias = arg_string(config, "default_alias");
    opts.api_prefix = arg_string(config, "api_prefix");
    /* One attempt keeps each case to one request, so the capture server's
     * record is exactly what the call sent. */
    opts.retry.max_attempts = 1;
    opts.dry_run = dry_run;

    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;
    int rc = stayhooks_client_new(&opts, &client, &err);
    if (rc != STAYHOOKS_OK)
        fail_msg("client_new failed: %s", stayhooks_error_message(err));
    return client;
}

static void check_error(const call_result *r, const json_t *expect)
{
    const char *key;
    const json_t *value;

    if (r->rc == STAYHOOKS_OK)
        fail_msg("call succeeded; expected an error");
    assert_non_null(r->err);
    assert_int_equal(stayhooks_error_code(r->err), r->rc);

    json_object_foreach((json_t *)expect, key, value)
    {
        if (strcmp(key, "class") == 0) {
            assert_string_equal(stayhooks_code_name(stayhooks_error_code(r->err)),
                                json_string_value(value));
        } else if (strcmp(key, "status") == 0) {
            assert_int_equal(stayhooks_error_status(r->err), json_integer_value(value));
        } else if (strcmp(key, "network") == 0) {
            if (json_is_false(value)) {
                assert_int_equal(test_server_request_count(server), 0);
                assert_int_equal(stayhooks_error_attempts(r->err), 0);
            }
        } else if (strcmp(key, "message") == 0) {
            assert_string_equal(stayhooks_error_message(r->err), json_string_value(value));
        } else if (strcmp(key, "message_contains") == 0) {
            assert_non_null(strstr(stayhooks_error_message(r->err), json_string_value(value)));
        } else if (strcmp(key, "payload") == 0) {
            const char *payload = stayhooks_error_payload_json(r->err);
            assert_non_null(payload);
            json_t *parsed = json_loads(payload, 0, NULL);
            assert_non_null(parsed);
            assert_true(json_equal(parsed, value));
            json_decref(parsed);
        } else {
            fail_msg("expect_error key \"%s\" is not checked by this test", key);
        }
    }
}

static void check_request(const json_t *expect, const char *case_base_url, const char *call,
                          const json_t *args)
{
    assert_int_equal(test_server_request_count(server), 1);
    const test_request *req = test_server_request(server, 0);
    assert_non_null(req);

    assert_string_equal(req->method, json_string_value(json_object_get(expect, "method")));

    /* The server saw only the path, so put back the origin the case named. */
    const char *expected_url = json_string_value(json_object_get(expect, "url"));
    const char *origin_source = case_base_url;
    if (is_invoke_call(call) && arg_string(args, "invoke_url") != NULL)
        origin_source = arg_string(args, "invoke_url");
    size_t origin_len = origin_length(origin_source);
    char *full_url = malloc(origin_len + strlen(req->url) + 1);
    assert_non_null(full_url);
    memcpy(full_url, origin_source, origin_len);
    strcpy(full_url + origin_len, req->url);
    assert_string_equal(full_url, expected_url);
    free(full_url);

    const char *key;
    const json_t *value;
    json_object_foreach(json_object_get(expect, "headers"), key, value)
    {
        const char *got = test_request_header(req, key);
        if (got == NULL)
            fail_msg("header %s is missing", key);
        assert_string_equal(got, json_string_value(value));
    }
    size_t i;
    json_array_foreach(json_object_get(expect, "no_headers"), i, value)
    {
        const char *got = test_request_header(req, json_string_value(value));
        if (got != NULL)
            fail_msg("header %s must be absent but is \"%s\"", json_string_value(value), got);
    }

    const json_t *body = json_object_get(expect, "body");
    if (json_is_null(body)) {
        assert_int_equal(req->body_len, 0);
        return;
    }
    json_error_t jerr;
    json_t *sent = json_loadb(req->body, req->body_len, 0, &jerr);
    if (sent == NULL)
        fail_msg("body is not JSON: %s: %s", jerr.text, req->body);
    if (!json_equal(sent, body)) {
        char *want = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        char *got = json_dumps(sent, JSON_COMPACT | JSON_SORT_KEYS);
        print_error("body differs\n want %s\n got  %s\n", want, got);
        free(want);
        free(got);
        json_decref(sent);
        fail();
    }
    json_decref(sent);
}

/* Returns the value a dry run must show for a header: credentials are
 * redacted, everything else is shown as sent. */
static const char *dry_run_value(const char *name, const char *sent)
{
    if (strcasecmp(name, "Authorization") == 0)
        return "Bearer <redacted>";
    if (strcasecmp(name, "x-stay-webhook-secret") == 0)
        return "<redacted>";
    return sent;
}

static const json_t *dry_run_header(const json_t *headers, const char *name)
{
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)headers, key, value)
    {
        if (strcasecmp(key, name) == 0)
            return value;
    }
    return NULL;
}

/* Runs the case again in dry-run mode and compares the recorded request
 * with the one the capture server received. Method, URL and body must
 * match, and so must every sent header, with credentials redacted. Host and
 * Content-Length are left out because libcurl derives them. */
static void check_dry_run_matches(const json_t *config, const char *call, const json_t *args)
{
    char *base = NULL;
    call_result r;
    const test_request *sent = test_server_request(server, 0);
    assert_non_null(sent);
    size_t sent_count = test_server_request_count(server);

    memset(&r, 0, sizeof(r));
    stayhooks_client *client = client_for(config, 1, &base);
    run_call(client, call, args, &r);
    assert_int_equal(r.rc, STAYHOOKS_OK);
    assert_int_equal(test_server_request_count(server), sent_count);

    const char *text = stayhooks_client_last_request(client);
    assert_non_null(text);
    assert_null(strstr(text, "whk_test_secret_0001"));
    assert_null(strstr(text, "test-owner-token"));
    json_t *dry = json_loads(text, 0, NULL);
    assert_non_null(dry);

    assert_string_equal(json_string_value(json_object_get(dry, "method")), sent->method);
    const char *url = json_string_value(json_object_get(dry, "url"));
    assert_non_null(url);
    assert_string_equal(url + origin_length(url), sent->url);

    const json_t *headers = json_object_get(dry, "headers");
    for (size_t i = 0; i < sent->header_count; i++) {
        const char *name = sent->header_names[i];
        if (strcasecmp(name, "Host") == 0 || strcasecmp(name, "Content-Length") == 0)
            continue;
        const json_t *shown = dry_run_header(headers, name);
        if (shown == NULL)
            fail_msg("header %s was sent but the dry run does not show it", name);
        assert_string_equal(json_string_value(shown), dry_run_value(name, sent->header_values[i]));
    }
    assert_int_equal(json_object_size(headers), sent->header_count - 1 -
                                                    (test_request_header(sent, "Content-Length") != NULL));

    const json_t *body = json_object_get(dry, "body");
    if (sent->body_len == 0) {
        assert_true(json_is_null(body));
    } else {
        json_t *sent_body = json_loadb(sent->body, sent->body_len, 0, NULL);
        assert_non_null(sent_body);
        assert_true(json_equal(sent_body, body));
        json_decref(sent_body);
    }

    json_decref(dry);
    call_result_free(&r);
    stayhooks_client_free(client);
    free(base);
}

static void run_request_case(void **state)
{
    const json_t *c = *state;
    const json_t *config = json_object_get(c, "client");
    const char *call = json_string_value(json_object_get(c, "call"));
    const json_t *args = json_object_get(c, "args");
    char *base = NULL;
    call_result r;

    memset(&r, 0, sizeof(r));
    test_server_reset(server);
    stayhooks_client *client = client_for(config, 0, &base);
    run_call(client, call, args, &r);

    const json_t *expect_request = json_object_get(c, "expect_request");
    const json_t *expect_error = json_object_get(c, "expect_error");
    if (expect_request != NULL) {
        if (r.rc != STAYHOOKS_OK)
            fail_msg("call failed: %s: %s", stayhooks_code_name(stayhooks_error_code(r.err)),
                     stayhooks_error_message(r.err));
        const char *case_base = arg_string(config, "base_url");
        check_request(expect_request, case_base != NULL ? case_base : "http://localhost:3000",
                      call, args);
        check_dry_run_matches(config, call, args);
    } else if (expect_error != NULL) {
        check_error(&r, expect_error);
    } else {
        fail_msg("case has neither expect_request nor expect_error");
    }

    call_result_free(&r);
    stayhooks_client_free(client);
    free(base);
}

/* Arguments for reply cases, which name only the call. */
static json_t *default_args(const char *call)
{
    const char *secret = json_string_value(json_object_get(cases, "secret"));
    if (strcmp(call, "send_message") == 0)
        return json_pack("{s:s, s:s, s:s, s:s}", "room_id", "R", "webhook_id", "wh1", "secret",
                         secret, "text", "hi");
    if (strcmp(call, "send_embed") == 0)
        return json_pack("{s:s, s:s, s:s, s:s}", "room_id", "R", "webhook_id", "wh1", "secret",
                         secret, "title", "T");
    if (strcmp(call, "send_poll") == 0)
        return json_pack("{s:s, s:s, s:s, s:s, s:[s,s]}", "room_id", "R", "webhook_id", "wh1",
                         "secret", secret, "question", "Q", "options", "A", "B");
    if (strcmp(call, "send_image") == 0)
        return json_pack("{s:s, s:s, s:s, s:s}", "room_id", "R", "webhook_id", "wh1", "secret",
                         secret, "url", "https://example.test/a.png");
    if (strcmp(call, "invoke_webhook") == 0)
        return json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "room_id", "R", "webhook_id", "wh1",
                         "secret", secret, "action", "message", "payload", "text", "x");
    if (strcmp(call, "create_webhook") == 0)
        return json_pack("{s:s, s:s}", "room_id", "R", "label", "L");
    if (strcmp(call, "list_webhooks") == 0 || strcmp(call, "get_permitted_actions") == 0)
        return json_pack("{s:s}", "room_id", "R");
    return json_pack("{s:s, s:s}", "room_id", "R", "webhook_id", "wh1");
}

static void check_string_member(const char *got, const json_t *want, const char *name)
{
    if (json_is_null(want)) {
        if (got != NULL)
            fail_msg("%s must be NULL but is \"%s\"", name, got);
        return;
    }
    if (got == NULL)
        fail_msg("%s is NULL", name);
    assert_string_equal(got, json_string_value(want));
}

static void check_webhook(const stayhooks_webhook *w, const json_t *expect)
{
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)expect, key, value)
    {
        if (strcmp(key, "id") == 0) {
            check_string_member(w->id, value, key);
        } else if (strcmp(key, "label") == 0) {
            check_string_member(w->label, value, key);
        } else if (strcmp(key, "paused") == 0) {
            assert_int_equal(w->paused, json_is_true(value));
        } else if (strcmp(key, "permissions") == 0) {
            assert_int_equal(w->permission_count, json_array_size(value));
            for (size_t i = 0; i < w->permission_count; i++)
                assert_string_equal(w->permissions[i],
                                    json_string_value(json_array_get(value, i)));
        } else if (strcmp(key, "invoke_url") == 0) {
            check_string_member(w->invoke_url, value, key);
        } else if (strcmp(key, "example_curl") == 0) {
            check_string_member(w->example_curl, value, key);
        } else if (strcmp(key, "created_at") == 0) {
            check_string_member(w->created_at, value, key);
        } else if (strcmp(key, "last_used_at") == 0) {
            check_string_member(w->last_used_at, value, key);
        } else {
            fail_msg("webhook expectation \"%s\" is not checked by this test", key);
        }
    }
}

static void check_result(const call_result *r, const char *call, const json_t *expect)
{
    const char *key;
    const json_t *value;

    if (r->rc != STAYHOOKS_OK)
        fail_msg("call failed: %s: %s", stayhooks_code_name(stayhooks_error_code(r->err)),
                 stayhooks_error_message(r->err));

    if (strcmp(call, "update_webhook") == 0) {
        assert_non_null(r->webhook);
        check_webhook(r->webhook, expect);
        return;
    }

    json_object_foreach((json_t *)expect, key, value)
    {
        if (strcmp(call, "delete_webhook") == 0 && strcmp(key, "ok") == 0) {
            assert_int_equal(r->delete_ok, json_is_true(value));
        } else if (r->invoke != NULL && strcmp(key, "ok") == 0) {
            assert_int_equal(r->invoke->ok, json_is_true(value));
        } else if (r->invoke != NULL && strcmp(key, "kind") == 0) {
            check_string_member(r->invoke->kind, value, key);
        } else if (r->invoke != NULL && strcmp(key, "poll_id") == 0) {
            check_string_member(r->invoke->poll_id, value, key);
        } else if (r->invoke != NULL && strcmp(key, "message_id") == 0) {
            check_string_member(r->invoke->message_id, value, key);
        } else if (r->invoke != NULL && strcmp(key, "extra") == 0) {
            json_t *extra = json_loads(r->invoke->extra_json, 0, NULL);
            assert_non_null(extra);
            assert_true(json_equal(extra, value));
            json_decref(extra);
        } else if (r->bundle != NULL && strcmp(key, "webhook") == 0) {
            check_webhook(&r->bundle->webhook, value);
        } else if (r->bundle != NULL && strcmp(key, "secret") == 0) {
            check_string_member(r->bundle->secret, value, key);
        } else if (r->bundle != NULL && strcmp(key, "invoke_url") == 0) {
            check_string_member(r->bundle->invoke_url, value, key);
        } else if (r->bundle != NULL && strcmp(key, "example_curl") == 0) {
            check_string_member(r->bundle->example_curl, value, key);
        } else if (r->list != NULL && strcmp(key, "room_id") == 0) {
            check_string_member(r->list->room_id, value, key);
        } else if (r->list != NULL && strcmp(key, "limit") == 0) {
            assert_int_equal(r->list->limit, json_integer_value(value));
        } else if (r->list != NULL && strcmp(key, "webhooks") == 0) {
            assert_int_equal(r->list->count, json_array_size(value));
            for (size_t i = 0; i < r->list->count; i++)
                check_webhook(&r->list->webhooks[i], json_array_get(value, i));
        } else if (r->actions != NULL && strcmp(key, "actions") == 0) {
            assert_int_equal(r->actions->count, json_array_size(value));
            for (size_t i = 0; i < r->actions->count; i++)
                assert_string_equal(r->actions->actions[i],
                                    json_string_value(json_array_get(value, i)));
        } else if (r->actions != NULL && strcmp(key, "limit") == 0) {
            assert_int_equal(r->actions->limit, json_integer_value(value));
        } else {
            fail_msg("expectation \"%s\" is not checked for call %s", key, call);
        }
    }
}

static void script_reply(const json_t *reply)
{
    test_reply scripted;
    memset(&scripted, 0, sizeof(scripted));
    scripted.action = TEST_REPLY;
    scripted.status = (int)json_integer_value(json_object_get(reply, "status"));
    scripted.body = json_string_value(json_object_get(reply, "body"));

    size_t h = 0;
    const char *key;
    const json_t *value;
    json_object_foreach(json_object_get(reply, "headers"), key, value)
    {
        assert_true(h < TEST_SERVER_MAX_REPLY_HEADERS);
        scripted.header_names[h] = key;
        scripted.header_values[h] = json_string_value(value);
        h++;
    }
    test_server_script(server, &scripted, 1);
}

static void run_reply_case(void **state)
{
    const json_t *c = *state;
    const char *call = json_string_value(json_object_get(c, "call"));
    const json_t *reply = json_object_get(c, "reply");
    json_t *args = json_object_get(c, "args") != NULL ? json_incref(json_object_get(c, "args"))
                                                      : default_args(call);
    char *base = NULL;
    char refused_base[64];
    call_result r;

    memset(&r, 0, sizeof(r));
    assert_non_null(args);

    stayhooks_options opts;
    stayhooks_options_init(&opts);
    opts.token = json_string_value(json_object_get(cases, "token"));
    opts.retry.max_attempts = 1;
    if (json_is_true(json_object_get(reply, "refuse"))) {
        int port = test_refused_port();
        assert_true(port > 0);
        snprintf(refused_base, sizeof(refused_base), "http://127.0.0.1:%d", port);
        opts.base_url = refused_base;
    } else {
        script_reply(reply);
        base = redirect_to_server("http://localhost:3000");
        opts.base_url = base;
    }

    stayhooks_client *client = NULL;
    assert_int_equal(stayhooks_client_new(&opts, &client, NULL), STAYHOOKS_OK);
    run_call(client, call, args, &r);

    const json_t *expect = json_object_get(c, "expect");
    const json_t *expect_error = json_object_get(c, "expect_error");
    if (expect != NULL)
        check_result(&r, call, expect);
    else if (expect_error != NULL)
        check_error(&r, expect_error);
    else
        fail_msg("case has neither expect nor expect_error");

    call_result_free(&r);
    stayhooks_client_free(client);
    json_decref(args);
    free(base);
}

static int start_server(void **state)
{
    (void)state;
    server = test_server_start();
    return server != NULL ? 0 : -1;
}

static int stop_server(void **state)
{
    (void)state;
    test_server_stop(server);
    server = NULL;
    return 0;
}

/* Appends one cmocka test per case in `list`. */
static void add_cases(struct CMUnitTest *tests, size_t *count, const json_t *list,
                      void (*run)(void **), const char *kind)
{
    size_t i;
    const json_t *c;
    json_array_foreach(list, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        char *label = malloc(strlen(kind) + strlen(name != NULL ? name : "?") + 3);
        if (label == NULL)
            abort();
        sprintf(label, "%s: %s", kind, name != NULL ? name : "?");
        tests[*count] = (struct CMUnitTest){ label, run, NULL, NULL, (void *)c };
        (*count)++;
    }
}

int main(void)
{
    json_error_t jerr;
    const char *path = STAYHOOKS_TEST_DATA_DIR "/client-cases.json";
    cases = json_load_file(path, 0, &jerr);
    if (cases == NULL) {
        fprintf(stderr, "cannot read %s: %s (line %d)\n", path, jerr.text, jerr.line);
        return 1;
    }

    const json_t *requests = json_object_get(cases, "requests");
    const json_t *replies = json_object_get(cases, "replies");
    size_t total = json_array_size(requests) + json_array_size(replies);
    if (total == 0) {
        fprintf(stderr, "%s contains no cases\n", path);
        return 1;
    }

    struct CMUnitTest *tests = calloc(total, sizeof(*tests));
    if (tests == NULL)
        return 1;
    size_t count = 0;
    add_cases(tests, &count, requests, run_request_case, "request");
    add_cases(tests, &count, replies, run_reply_case, "reply");

    int failed = _cmocka_run_group_tests("client_cases", tests, count, start_server, stop_server);

    for (size_t i = 0; i < count; i++)
        free((char *)tests[i].name);
    free(tests);
    json_decref(cases);
    return failed;
}
