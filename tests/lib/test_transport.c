/* test_transport.c: the library against a scripted local server:
 * keep-alive, retries, deadlines, delivery-unknown, reply size cap,
 * redirects, dry-run output, logging and redaction. */
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
#include <time.h>

#define TOKEN "tok-SECRET-4242"
#define SECRET "whk_SECRET_0123456789"
#define MAX_LINES 256

typedef struct log_capture {
    char *lines[MAX_LINES];
    stayhooks_log_level levels[MAX_LINES];
    size_t count;
} log_capture;

static void capture_line(void *userdata, stayhooks_log_level level, const char *line)
{
    log_capture *log = userdata;
    if (log->count < MAX_LINES) {
        log->levels[log->count] = level;
        log->lines[log->count++] = strdup(line);
    }
}

static void log_free(log_capture *log)
{
    for (size_t i = 0; i < log->count; i++)
        free(log->lines[i]);
    log->count = 0;
}

static int log_has(const log_capture *log, stayhooks_log_level level, const char *text)
{
    for (size_t i = 0; i < log->count; i++) {
        if (log->levels[i] == level && strstr(log->lines[i], text) != NULL)
            return 1;
    }
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void init_options(stayhooks_options *opts)
{
    test_group_options(opts, TOKEN);
    opts->retry.base_delay_ms = 10;
    opts->retry.max_delay_ms = 50;
    opts->retry.deadline_ms = 5000;
}

static const stayhooks_target target = { "R1", "W1", NULL, SECRET };

static int send_hello(stayhooks_client *client, stayhooks_invoke_result **out,
                      stayhooks_error **err)
{
    stayhooks_message message = { "hello", NULL, NULL };
    return stayhooks_send_message(client, &target, &message, out, err);
}

static void test_keep_alive_one_connection(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);
    unsigned before = test_server_connection_count(test_group_server);

    for (int i = 0; i < 5; i++) {
        stayhooks_webhook_list *list = NULL;
        assert_int_equal(stayhooks_list_webhooks(client, "R1", &list, NULL), STAYHOOKS_OK);
        stayhooks_webhook_list_free(list);
        stayhooks_invoke_result *result = NULL;
        assert_int_equal(send_hello(client, &result, NULL), STAYHOOKS_OK);
        stayhooks_invoke_result_free(result);
    }

    assert_int_equal(test_server_request_count(test_group_server), 10);
    assert_int_equal(test_server_connection_count(test_group_server) - before, 1);
    stayhooks_client_free(client);
}

static void test_get_retried_on_503(void **state)
{
    (void)state;
    test_reply script[] = { test_reply_with(503, ""), test_reply_with(502, ""),
                            test_reply_with(200, "{\"roomId\":\"R1\",\"webhooks\":[]}") };
    test_server_script(test_group_server, script, 3);
    stayhooks_options opts;
    log_capture log = { { NULL }, { 0 }, 0 };
    init_options(&opts);
    opts.log = capture_line;
    opts.log_userdata = &log;
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_webhook_list *list = NULL;
    assert_int_equal(stayhooks_list_webhooks(client, "R1", &list, NULL), STAYHOOKS_OK);
    assert_string_equal(list->room_id, "R1");
    assert_int_equal(test_server_request_count(test_group_server), 3);
    assert_true(log_has(&log, STAYHOOKS_LOG_INFO, "retrying GET"));

    stayhooks_webhook_list_free(list);
    stayhooks_client_free(client);
    log_free(&log);
}

static void test_get_gives_up_after_attempts(void **state)
{
    (void)state;
    test_reply script[] = { test_reply_with(504, "") };
    test_server_script(test_group_server, script, 1);
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_error *err = NULL;
    stayhooks_permitted_actions *actions = NULL;
    assert_int_equal(stayhooks_get_permitted_actions(client, "R1", &actions, &err),
                     STAYHOOKS_ERR_HTTP);
    assert_null(actions);
    assert_int_equal(stayhooks_error_status(err), 504);
    assert_int_equal(stayhooks_error_attempts(err), 3);
    assert_int_equal(test_server_request_count(test_group_server), 3);
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_invoke_not_retried_on_502(void **state)
{
    (void)state;
    test_reply script[] = { test_reply_with(502, "bad gateway") };
    test_server_script(test_group_server, script, 1);
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_error *err = NULL;
    stayhooks_invoke_result *result = NULL;
    assert_int_equal(send_hello(client, &result, &err), STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_attempts(err), 1);
    assert_int_equal(test_server_request_count(test_group_server), 1);
    assert_string_equal(stayhooks_error_message(err), "bad gateway");
    assert_string_equal(stayhooks_error_body(err), "bad gateway");
    assert_null(stayhooks_error_payload_json(err));
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_invoke_retried_on_429(void **state)
{
    (void)state;
    test_reply limited = test_reply_with(429, "{\"error\":\"slow down\"}");
    limited.header_names[0] = "Retry-After";
    limited.header_values[0] = "0.2";
    test_reply script[] = { limited, test_reply_with(200, "{\"ok\":true,\"kind\":\"message\"}") };
    test_server_script(test_group_server, script, 2);
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);

    long start = now_ms();
    stayhooks_invoke_result *result = NULL;
    assert_int_equal(send_hello(client, &result, NULL), STAYHOOKS_OK);
    long elapsed = now_ms() - start;

    assert_int_equal(test_server_request_count(test_group_server), 2);
    assert_true(elapsed >= 200);
    assert_string_equal(result->kind, "message");
    stayhooks_invoke_result_free(result);
    stayhooks_client_free(client);
}

static void test_retry_after_past_deadline(void **state)
{
    (void)state;
    test_reply limited = test_reply_with(429, "{\"error\":\"slow down\"}");
    limited.header_names[0] = "Retry-After";
    limited.header_values[0] = "60";
    test_server_script(test_group_server, &limited, 1);
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);

    long start = now_ms();
    stayhooks_error *err = NULL;
    stayhooks_invoke_result *result = NULL;
    assert_int_equal(send_hello(client, &result, &err), STAYHOOKS_ERR_HTTP);
    long elapsed = now_ms() - start;

    assert_true(elapsed < 1000);
    assert_int_equal(stayhooks_error_status(err), 429);
    assert_int_equal(stayhooks_error_attempts(err), 1);
    assert_true(stayhooks_error_retry_after(err) == 60.0);
    assert_string_equal(stayhooks_error_message(err), "slow down");
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_drop_after_send_delivery_unknown(void **state)
{
    (void)state;
    test_reply dropped;
    memset(&dropped, 0, sizeof(dropped));
    dropped.action = TEST_DROP;
    test_server_script(test_group_server, &dropped, 1);
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_error *err = NULL;
    stayhooks_invoke_result *result = NULL;
    assert_int_equal(send_hello(client, &result, &err), STAYHOOKS_ERR_NETWORK);
    assert_null(result);
    assert_int_equal(stayhooks_error_delivery_unknown(err), 1);
    assert_int_equal(stayhooks_error_attempts(err), 1);
    assert_int_equal(stayhooks_error_status(err), 0);
    assert_int_equal(test_server_request_count(test_group_server), 1);
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

/* The second invoke goes out on the kept-alive connection, which the
 * server then closes without a reply: it must not be sent again. */
static void test_kept_alive_drop_not_resent(void **state)
{
    (void)state;
    test_reply script[2];
    script[0] = test_reply_with(200, "{\"ok\":true,\"kind\":\"message\"}");
    memset(&script[1], 0, sizeof(script[1]));
    script[1].action = TEST_DROP;
    test_server_script(test_group_server, script, 2);
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);
    unsigned before = test_server_connection_count(test_group_server);

    stayhooks_invoke_result *result = NULL;
    assert_int_equal(send_hello(client, &result, NULL), STAYHOOKS_OK);
    stayhooks_invoke_result_free(result);
    result = NULL;

    stayhooks_error *err = NULL;
    assert_int_equal(send_hello(client, &result, &err), STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_delivery_unknown(err), 1);
    assert_int_equal(stayhooks_error_attempts(err), 1);
    assert_int_equal(test_server_request_count(test_group_server), 2);
    assert_int_equal(test_server_connection_count(test_group_server) - before, 1);
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_refused_connect_retried(void **state)
{
    (void)state;
    char base[64];
    int port = test_refused_port();
    assert_true(port > 0);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    stayhooks_options opts;
    init_options(&opts);
    opts.base_url = base;
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_error *err = NULL;
    stayhooks_invoke_result *result = NULL;
    assert_int_equal(send_hello(client, &result, &err), STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_attempts(err), 3);
    assert_int_equal(stayhooks_error_delivery_unknown(err), 0);
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_reply_over_cap_rejected(void **state)
{
    (void)state;
    char body[2048];
    memset(body, 'x', sizeof(body) - 1);
    body[sizeof(body) - 1] = '\0';
    test_reply big = test_reply_with(200, body);
    test_server_script(test_group_server, &big, 1);
    stayhooks_options opts;
    init_options(&opts);
    opts.max_response_bytes = 100;
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_error *err = NULL;
    stayhooks_webhook_list *list = NULL;
    assert_int_equal(stayhooks_list_webhooks(client, "R1", &list, &err),
                     STAYHOOKS_ERR_INVALID_RESPONSE);
    assert_non_null(strstr(stayhooks_error_message(err), "100 bytes"));
    assert_int_equal(test_server_request_count(test_group_server), 1);
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_redirect_not_followed(void **state)
{
    (void)state;
    test_reply moved = test_reply_with(302, "");
    moved.header_names[0] = "Location";
    moved.header_values[0] = "http://127.0.0.1:9/elsewhere";
    test_server_script(test_group_server, &moved, 1);
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_error *err = NULL;
    stayhooks_invoke_result *result = NULL;
    assert_int_equal(send_hello(client, &result, &err), STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(err), 302);
    assert_string_equal(stayhooks_error_location(err), "http://127.0.0.1:9/elsewhere");
    assert_non_null(strstr(stayhooks_error_message(err), "302"));
    assert_int_equal(test_server_request_count(test_group_server), 1);
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_error_message_redacts_secret(void **state)
{
    (void)state;
    test_reply echo = test_reply_with(401, "{\"error\":\"secret " SECRET " is wrong\"}");
    test_server_script(test_group_server, &echo, 1);
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_error *err = NULL;
    stayhooks_invoke_result *result = NULL;
    assert_int_equal(send_hello(client, &result, &err), STAYHOOKS_ERR_AUTH);
    assert_string_equal(stayhooks_error_message(err), "secret <redacted> is wrong");
    assert_null(strstr(stayhooks_error_body(err), SECRET));
    assert_null(strstr(stayhooks_error_payload_json(err), SECRET));
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_log_lines_redacted(void **state)
{
    (void)state;
    stayhooks_options opts;
    log_capture log = { { NULL }, { 0 }, 0 };
    init_options(&opts);
    opts.log = capture_line;
    opts.log_userdata = &log;
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_invoke_result *result = NULL;
    assert_int_equal(send_hello(client, &result, NULL), STAYHOOKS_OK);
    stayhooks_invoke_result_free(result);
    stayhooks_webhook_list *list = NULL;
    assert_int_equal(stayhooks_list_webhooks(client, "R1", &list, NULL), STAYHOOKS_OK);
    stayhooks_webhook_list_free(list);

    assert_true(log.count > 0);
    for (size_t i = 0; i < log.count; i++) {
        assert_null(strstr(log.lines[i], SECRET));
        assert_null(strstr(log.lines[i], TOKEN));
    }
    assert_true(log_has(&log, STAYHOOKS_LOG_DEBUG, "> POST http://127.0.0.1:"));
    assert_true(log_has(&log, STAYHOOKS_LOG_DEBUG, "> x-stay-webhook-secret: <redacted>"));
    assert_true(log_has(&log, STAYHOOKS_LOG_DEBUG, "> Authorization: Bearer <redacted>"));
    assert_true(log_has(&log, STAYHOOKS_LOG_DEBUG, "< HTTP 200"));
    stayhooks_client_free(client);
    log_free(&log);
}

static void test_dry_run_sends_nothing(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);
    opts.dry_run = 1;
    stayhooks_client *client = test_group_client(&opts);
    assert_null(stayhooks_client_last_request(client));

    stayhooks_invoke_result *result = (stayhooks_invoke_result *)&opts;
    assert_int_equal(send_hello(client, &result, NULL), STAYHOOKS_OK);
    assert_null(result);
    assert_int_equal(test_server_request_count(test_group_server), 0);

    const char *text = stayhooks_client_last_request(client);
    assert_non_null(text);
    assert_null(strstr(text, SECRET));
    json_t *req = json_loads(text, 0, NULL);
    assert_non_null(req);
    assert_string_equal(json_string_value(json_object_get(req, "method")), "POST");
    char url[128];
    snprintf(url, sizeof(url), "%s/api/webhooks/R1/W1/invoke",
             test_server_base_url(test_group_server));
    assert_string_equal(json_string_value(json_object_get(req, "url")), url);
    json_t *headers = json_object_get(req, "headers");
    assert_string_equal(json_string_value(json_object_get(headers, "x-stay-webhook-secret")),
                        "<redacted>");
    assert_string_equal(json_string_value(json_object_get(headers, "Accept")),
                        "application/json");
    assert_string_equal(json_string_value(json_object_get(headers, "Content-Type")),
                        "application/json");
    assert_string_equal(json_string_value(json_object_get(headers, "User-Agent")),
                        "stayhooks/" STAYHOOKS_VERSION);
    assert_null(json_object_get(headers, "Authorization"));
    json_t *want = json_pack("{s:s, s:{s:s}}", "action", "message", "payload", "text", "hello");
    assert_true(json_equal(json_object_get(req, "body"), want));
    json_decref(want);
    json_decref(req);

    /* A management call without a body records "body": null and the
     * redacted bearer token. */
    assert_int_equal(stayhooks_rotate_secret(client, "R1", "W1", NULL, NULL), STAYHOOKS_OK);
    req = json_loads(stayhooks_client_last_request(client), 0, NULL);
    assert_non_null(req);
    assert_true(json_is_null(json_object_get(req, "body")));
    headers = json_object_get(req, "headers");
    assert_string_equal(json_string_value(json_object_get(headers, "Authorization")),
                        "Bearer <redacted>");
    assert_null(json_object_get(headers, "Content-Type"));
    json_decref(req);
    assert_int_equal(test_server_request_count(test_group_server), 0);
    stayhooks_client_free(client);
}

static void test_no_token_fails_before_sending(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);
    opts.token = "";
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_error *err = NULL;
    assert_int_equal(stayhooks_delete_webhook(client, "R1", "W1", NULL, &err),
                     STAYHOOKS_ERR_AUTH);
    assert_int_equal(stayhooks_error_status(err), 401);
    assert_int_equal(stayhooks_error_attempts(err), 0);
    assert_int_equal(test_server_request_count(test_group_server), 0);
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_large_body_has_no_expect(void **state)
{
    (void)state;
    char text[4096];
    memset(text, 'a', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    stayhooks_options opts;
    init_options(&opts);
    opts.user_agent = "custom-agent/9";
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_message message = { text, NULL, NULL };
    stayhooks_invoke_result *result = NULL;
    assert_int_equal(stayhooks_send_message(client, &target, &message, &result, NULL),
                     STAYHOOKS_OK);
    stayhooks_invoke_result_free(result);

    const test_request *req = test_server_request(test_group_server, 0);
    assert_non_null(req);
    assert_null(test_request_header(req, "Expect"));
    assert_string_equal(test_request_header(req, "User-Agent"), "custom-agent/9");
    assert_true(req->body_len > sizeof(text));
    stayhooks_client_free(client);
}

static void test_post_without_body_has_no_type(void **state)
{
    (void)state;
    test_reply bundle =
        test_reply_with(200, "{\"secret\":\"whk_new\",\"invokeUrl\":\"http://x/i\"}");
    test_server_script(test_group_server, &bundle, 1);
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_secret_bundle *out = NULL;
    assert_int_equal(stayhooks_rotate_secret(client, "R1", "W1", &out, NULL), STAYHOOKS_OK);
    assert_string_equal(out->secret, "whk_new");
    assert_string_equal(out->invoke_url, "http://x/i");
    stayhooks_secret_bundle_free(out);

    const test_request *req = test_server_request(test_group_server, 0);
    assert_non_null(req);
    assert_string_equal(req->method, "POST");
    assert_null(test_request_header(req, "Content-Type"));
    assert_int_equal(req->body_len, 0);
    stayhooks_client_free(client);
}

static void test_wrong_member_type_invalid(void **state)
{
    (void)state;
    test_reply odd = test_reply_with(200, "{\"roomId\":5}");
    test_server_script(test_group_server, &odd, 1);
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);

    stayhooks_error *err = NULL;
    stayhooks_webhook_list *list = NULL;
    assert_int_equal(stayhooks_list_webhooks(client, "R1", &list, &err),
                     STAYHOOKS_ERR_INVALID_RESPONSE);
    assert_non_null(strstr(stayhooks_error_message(err), "roomId"));
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_client_rejects_bad_base_url(void **state)
{
    (void)state;
    stayhooks_options opts;
    stayhooks_options_init(&opts);
    opts.base_url = "localhost:3000";
    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;
    assert_int_equal(stayhooks_client_new(&opts, &client, &err), STAYHOOKS_ERR_VALIDATION);
    assert_null(client);
    assert_non_null(strstr(stayhooks_error_message(err), "localhost:3000"));
    stayhooks_error_free(err);

    opts.base_url = "http://h/\xC3";
    err = NULL;
    assert_int_equal(stayhooks_client_new(&opts, &client, &err), STAYHOOKS_ERR_VALIDATION);
    stayhooks_error_free(err);
}

static void test_client_from_env(void **state)
{
    (void)state;
    setenv("STAYHERE_BASE_URL", test_server_base_url(test_group_server), 1);
    setenv("STAYHERE_TOKEN", TOKEN, 1);
    stayhooks_client *client = NULL;
    assert_int_equal(stayhooks_client_new_from_env(NULL, &client, NULL), STAYHOOKS_OK);
    assert_int_equal(stayhooks_list_webhooks(client, "R1", NULL, NULL), STAYHOOKS_OK);
    const test_request *req = test_server_request(test_group_server, 0);
    assert_non_null(req);
    assert_string_equal(test_request_header(req, "Authorization"), "Bearer " TOKEN);
    stayhooks_client_free(client);

    /* Explicit options win over the environment. */
    stayhooks_options opts;
    stayhooks_options_init(&opts);
    opts.base_url = "not a url";
    assert_int_equal(stayhooks_client_new_from_env(&opts, &client, NULL),
                     STAYHOOKS_ERR_VALIDATION);

    /* An empty variable counts as unset: no token, so auth fails early. */
    setenv("STAYHERE_TOKEN", "", 1);
    assert_int_equal(stayhooks_client_new_from_env(NULL, &client, NULL), STAYHOOKS_OK);
    stayhooks_error *err = NULL;
    assert_int_equal(stayhooks_list_webhooks(client, "R1", NULL, &err), STAYHOOKS_ERR_AUTH);
    stayhooks_error_free(err);
    stayhooks_client_free(client);
    unsetenv("STAYHERE_BASE_URL");
    unsetenv("STAYHERE_TOKEN");
}

static void test_code_names(void **state)
{
    (void)state;
    assert_string_equal(stayhooks_code_name(STAYHOOKS_OK), "ok");
    assert_string_equal(stayhooks_code_name(STAYHOOKS_ERR_VALIDATION), "validation");
    assert_string_equal(stayhooks_code_name(STAYHOOKS_ERR_AUTH), "auth");
    assert_string_equal(stayhooks_code_name(STAYHOOKS_ERR_HTTP), "http");
    assert_string_equal(stayhooks_code_name(STAYHOOKS_ERR_INVALID_RESPONSE), "invalid_response");
    assert_string_equal(stayhooks_code_name(STAYHOOKS_ERR_NETWORK), "network");
    assert_string_equal(stayhooks_code_name(STAYHOOKS_ERR_INTERNAL), "internal");
    assert_string_equal(stayhooks_version(), STAYHOOKS_VERSION);
    assert_int_equal(stayhooks_global_init(), STAYHOOKS_OK);
    assert_int_equal(stayhooks_global_init(), STAYHOOKS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_keep_alive_one_connection, test_group_reset),
        cmocka_unit_test_setup(test_get_retried_on_503, test_group_reset),
        cmocka_unit_test_setup(test_get_gives_up_after_attempts, test_group_reset),
        cmocka_unit_test_setup(test_invoke_not_retried_on_502, test_group_reset),
        cmocka_unit_test_setup(test_invoke_retried_on_429, test_group_reset),
        cmocka_unit_test_setup(test_retry_after_past_deadline, test_group_reset),
        cmocka_unit_test_setup(test_drop_after_send_delivery_unknown, test_group_reset),
        cmocka_unit_test_setup(test_kept_alive_drop_not_resent, test_group_reset),
        cmocka_unit_test_setup(test_refused_connect_retried, test_group_reset),
        cmocka_unit_test_setup(test_reply_over_cap_rejected, test_group_reset),
        cmocka_unit_test_setup(test_redirect_not_followed, test_group_reset),
        cmocka_unit_test_setup(test_error_message_redacts_secret, test_group_reset),
        cmocka_unit_test_setup(test_log_lines_redacted, test_group_reset),
        cmocka_unit_test_setup(test_dry_run_sends_nothing, test_group_reset),
        cmocka_unit_test_setup(test_no_token_fails_before_sending, test_group_reset),
        cmocka_unit_test_setup(test_large_body_has_no_expect, test_group_reset),
        cmocka_unit_test_setup(test_post_without_body_has_no_type, test_group_reset),
        cmocka_unit_test_setup(test_wrong_member_type_invalid, test_group_reset),
        cmocka_unit_test_setup(test_client_rejects_bad_base_url, test_group_reset),
        cmocka_unit_test_setup(test_client_from_env, test_group_reset),
        cmocka_unit_test_setup(test_code_names, test_group_reset),
    };
    return cmocka_run_group_tests(tests, test_group_start, test_group_stop);
}
