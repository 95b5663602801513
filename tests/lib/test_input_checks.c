/* test_input_checks.c: inputs that the library rejects before sending
 * anything. Each case runs against the scripted local server, so a check
 * that lets a request through shows up as a recorded request. */
#define _POSIX_C_SOURCE 200809L

#include "test_server.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stayhooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN "tok-input-checks-4242"
#define SECRET "whk_input_checks_0123456789"

static void init_options(stayhooks_options *opts)
{
    test_group_options(opts, TOKEN);
    opts->retry.max_attempts = 1;
}

/* Creates a client from `opts` and expects a validation error whose
 * message contains `expected` and not `hidden` (either may be NULL). */
static void expect_client_rejected(const stayhooks_options *opts, const char *expected,
                                   const char *hidden)
{
    stayhooks_client *client = (stayhooks_client *)&client;
    stayhooks_error *err = NULL;

    assert_int_equal(stayhooks_client_new(opts, &client, &err), STAYHOOKS_ERR_VALIDATION);
    assert_null(client);
    assert_non_null(err);
    assert_int_equal(stayhooks_error_status(err), 0);
    if (expected != NULL && strstr(stayhooks_error_message(err), expected) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", stayhooks_error_message(err), expected);
    if (hidden != NULL && strstr(stayhooks_error_message(err), hidden) != NULL)
        fail_msg("message \"%s\" shows \"%s\"", stayhooks_error_message(err), hidden);
    stayhooks_error_free(err);
}

static void test_token_with_line_break(void **state)
{
    (void)state;
    static const char *const tokens[] = {
        "tok-abc\r\nX-Evil: 1", "tok-abc\nX-Evil: 1", "tok-abc\rX", "tok\tabc",
        "tok\x7f" "abc", "tok\x01" "abc",
    };
    stayhooks_options opts;
    init_options(&opts);

    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        opts.token = tokens[i];
        expect_client_rejected(&opts, "option token contains a control character", "tok-abc");
    }
    assert_int_equal(test_server_request_count(test_group_server), 0);
}

static void test_token_from_env_with_line_break(void **state)
{
    (void)state;
    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;

    setenv("STAYHERE_BASE_URL", test_server_base_url(test_group_server), 1);
    setenv("STAYHERE_TOKEN", "tok-env\r\nX-Evil: 1", 1);
    assert_int_equal(stayhooks_client_new_from_env(NULL, &client, &err),
                     STAYHOOKS_ERR_VALIDATION);
    assert_null(client);
    assert_null(strstr(stayhooks_error_message(err), "tok-env"));
    assert_null(strstr(stayhooks_error_message(err), "X-Evil"));
    stayhooks_error_free(err);
    unsetenv("STAYHERE_BASE_URL");
    unsetenv("STAYHERE_TOKEN");
}

static void test_user_agent_with_line_break(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);
    opts.user_agent = "agent/1\r\nX-Evil: 1";
    expect_client_rejected(&opts, "option user_agent contains a control character", "X-Evil");

    /* Printable text, spaces and UTF-8 stay allowed. */
    opts.user_agent = "my agent/1.0 (caf\xC3\xA9)";
    stayhooks_client *client = test_group_client(&opts);
    assert_int_equal(stayhooks_list_webhooks(client, "R1", NULL, NULL), STAYHOOKS_OK);
    const test_request *req = test_server_request(test_group_server, 0);
    assert_non_null(req);
    assert_string_equal(test_request_header(req, "User-Agent"), "my agent/1.0 (caf\xC3\xA9)");
    stayhooks_client_free(client);
}

/* Sends a message with `secret` and expects a validation error that
 * names the secret without showing it. */
static void expect_secret_rejected(stayhooks_client *client, const char *secret)
{
    stayhooks_target target = { "R1", "W1", NULL, secret };
    stayhooks_message message = { "hello", NULL, NULL };
    stayhooks_invoke_result *result = NULL;
    stayhooks_error *err = NULL;

    assert_int_equal(stayhooks_send_message(client, &target, &message, &result, &err),
                     STAYHOOKS_ERR_VALIDATION);
    assert_null(result);
    assert_non_null(strstr(stayhooks_error_message(err), "webhook secret contains a control"));
    assert_null(strstr(stayhooks_error_message(err), "whk_evil"));
    assert_null(strstr(stayhooks_error_message(err), "X-Evil"));
    stayhooks_error_free(err);

    err = NULL;
    assert_int_equal(stayhooks_invoke(client, &target, "message", "{\"text\":\"x\"}", &result,
                                      &err),
                     STAYHOOKS_ERR_VALIDATION);
    stayhooks_error_free(err);
}

static void test_secret_with_line_break(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);

    expect_secret_rejected(client, "whk_evil\r\nX-Evil: 1");
    expect_secret_rejected(client, "whk_evil\nX-Evil: 1");
    expect_secret_rejected(client, "whk_evil\t1");
    expect_secret_rejected(client, "whk_evil\x7f");
    assert_int_equal(test_server_request_count(test_group_server), 0);
    stayhooks_client_free(client);
}

static void test_secret_checked_in_dry_run(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);
    opts.dry_run = 1;
    stayhooks_client *client = test_group_client(&opts);

    expect_secret_rejected(client, "whk_evil\r\nX-Evil: 1");
    assert_null(stayhooks_client_last_request(client));
    assert_int_equal(test_server_request_count(test_group_server), 0);
    stayhooks_client_free(client);
}

static void test_secret_checked_in_batch(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);
    stayhooks_batch *batch = NULL;
    stayhooks_error *err = NULL;
    stayhooks_target target = { "R1", "W1", NULL, "whk_evil\r\nX-Evil: 1" };
    stayhooks_message message = { "hello", NULL, NULL };

    assert_int_equal(stayhooks_batch_new(client, &batch, NULL), STAYHOOKS_OK);
    assert_int_equal(stayhooks_batch_add_message(batch, &target, &message, &err),
                     STAYHOOKS_ERR_VALIDATION);
    assert_null(strstr(stayhooks_error_message(err), "X-Evil"));
    assert_int_equal(stayhooks_batch_count(batch), 0);
    stayhooks_error_free(err);
    stayhooks_batch_free(batch);
    stayhooks_client_free(client);
}

static void test_malformed_base_url(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        const char *message;
    } cases[] = {
        { "http://127.0.0.1:9 /x", "base URL \"http://127.0.0.1:9 /x\" is invalid" },
        { "http://127.0.0.1:99999", "base URL \"http://127.0.0.1:99999\" is invalid" },
        { "http://h:9?x=1", "base URL \"http://h:9?...\" must not have a query" },
        { "#fragment", "base URL \"#...\" must start with http:// or https://" },
        { "http://h/#top", "base URL \"http://h/#...\" must not have a fragment" },
        { "http://", "base URL \"http://\" has no host" },
        { "http:///", "base URL \"http:///\" has no host" },
        { " http://h:0/ ", "base URL \" http://h:0/ \" has port 0" },
    };
    stayhooks_options opts;
    init_options(&opts);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        opts.base_url = cases[i].url;
        expect_client_rejected(&opts, cases[i].message, NULL);
    }

    opts.base_url = "http://alice:pw-in-url@127.0.0.1:1/";
    expect_client_rejected(&opts, "base URL must not contain a user name or password",
                           "pw-in-url");
}

static void test_malformed_api_prefix(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);

    opts.api_prefix = "api\r\nX-Evil: 1";
    expect_client_rejected(&opts, "base URL with the API prefix \"", NULL);
    opts.api_prefix = "a?b";
    expect_client_rejected(&opts, "/a?...\" must not have a query", NULL);
    opts.api_prefix = "a#b";
    expect_client_rejected(&opts, "/a#...\" must not have a fragment", NULL);
    opts.api_prefix = "a b";
    expect_client_rejected(&opts, "/a b\" is invalid", NULL);

    /* A prefix of several segments, and none at all, stay valid. */
    opts.api_prefix = " v2/api/ ";
    stayhooks_client *client = test_group_client(&opts);
    assert_int_equal(stayhooks_list_webhooks(client, "R1", NULL, NULL), STAYHOOKS_OK);
    stayhooks_client_free(client);
    opts.api_prefix = "";
    client = test_group_client(&opts);
    assert_int_equal(stayhooks_list_webhooks(client, "R1", NULL, NULL), STAYHOOKS_OK);
    stayhooks_client_free(client);
    assert_string_equal(test_server_request(test_group_server, 0)->url, "/v2/api/webhooks/R1");
    assert_string_equal(test_server_request(test_group_server, 1)->url, "/webhooks/R1");
}

static void test_malformed_base_url_from_env(void **state)
{
    (void)state;
    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;

    setenv("STAYHERE_BASE_URL", "http://127.0.0.1:99999", 1);
    assert_int_equal(stayhooks_client_new_from_env(NULL, &client, &err),
                     STAYHOOKS_ERR_VALIDATION);
    assert_null(client);
    assert_non_null(strstr(stayhooks_error_message(err), "\"http://127.0.0.1:99999\""));
    stayhooks_error_free(err);
    unsetenv("STAYHERE_BASE_URL");
}

/* White space around the base URL and trailing slashes are dropped, as
 * before the URL checks. */
static void test_base_url_spaces_trimmed(void **state)
{
    (void)state;
    char base[128];
    stayhooks_options opts;
    init_options(&opts);
    snprintf(base, sizeof(base), "  %s//  ", test_server_base_url(test_group_server));
    opts.base_url = base;
    stayhooks_client *client = test_group_client(&opts);

    assert_int_equal(stayhooks_list_webhooks(client, "R1", NULL, NULL), STAYHOOKS_OK);
    const test_request *req = test_server_request(test_group_server, 0);
    assert_non_null(req);
    assert_string_equal(req->url, "/api/webhooks/R1");
    stayhooks_client_free(client);
}

static void test_malformed_invoke_url(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        const char *message;
    } cases[] = {
        { "http://127.0.0.1:1/x?s=1", "invoke URL \"http://127.0.0.1:1/x?...\" must not have a query" },
        { "http://127.0.0.1:1/x#f", "invoke URL \"http://127.0.0.1:1/x#...\" must not have a fragment" },
        { "http://127.0.0.1:70000/x", "invoke URL \"http://127.0.0.1:70000/x\" is invalid" },
        { "http:///x", "invoke URL \"http:///x\" has no host" },
        { "ftp://127.0.0.1/x", "must start with http:// or https://" },
    };
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);
    stayhooks_message message = { "hello", NULL, NULL };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        stayhooks_target target = { NULL, NULL, cases[i].url, SECRET };
        stayhooks_error *err = NULL;
        assert_int_equal(stayhooks_send_message(client, &target, &message, NULL, &err),
                         STAYHOOKS_ERR_VALIDATION);
        if (strstr(stayhooks_error_message(err), cases[i].message) == NULL)
            fail_msg("message \"%s\" lacks \"%s\"", stayhooks_error_message(err),
                     cases[i].message);
        stayhooks_error_free(err);
    }
    assert_int_equal(test_server_request_count(test_group_server), 0);
    stayhooks_client_free(client);
}

static void test_url_error_hides_credentials(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);

    /* The token pasted into the base URL's query: the message stops at "?". */
    opts.base_url = "http://127.0.0.1:1/?token=" TOKEN;
    expect_client_rejected(&opts, "base URL \"http://127.0.0.1:1/?...\"", TOKEN);

    /* The secret pasted into the invoke URL's query. */
    opts.base_url = test_server_base_url(test_group_server);
    stayhooks_client *client = test_group_client(&opts);
    stayhooks_target target = { NULL, NULL, "http://127.0.0.1:1/invoke?secret=" SECRET, SECRET };
    stayhooks_message message = { "hello", NULL, NULL };
    stayhooks_error *err = NULL;
    assert_int_equal(stayhooks_send_message(client, &target, &message, NULL, &err),
                     STAYHOOKS_ERR_VALIDATION);
    assert_non_null(strstr(stayhooks_error_message(err),
                           "invoke URL \"http://127.0.0.1:1/invoke?...\""));
    assert_null(strstr(stayhooks_error_message(err), SECRET));
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_missing_ca_file(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);

    opts.ca_file = "/nonexistent/stayhooks-ca.pem";
    expect_client_rejected(&opts,
                           "CA file \"/nonexistent/stayhooks-ca.pem\" cannot be read: No such "
                           "file or directory",
                           NULL);
    opts.ca_file = "/";
    expect_client_rejected(&opts, "CA file \"/\" is a directory", NULL);
}

static void test_create_without_label(void **state)
{
    (void)state;
    stayhooks_options opts;
    init_options(&opts);
    stayhooks_client *client = test_group_client(&opts);
    stayhooks_secret_bundle *bundle = NULL;
    stayhooks_error *err = NULL;

    assert_int_equal(stayhooks_create_webhook(client, "R1", NULL, NULL, 0, &bundle, &err),
                     STAYHOOKS_ERR_VALIDATION);
    assert_null(bundle);
    assert_string_equal(stayhooks_error_message(err), "label is required");
    assert_int_equal(test_server_request_count(test_group_server), 0);
    stayhooks_error_free(err);

    /* An empty label goes to the server, which judges label rules. */
    assert_int_equal(stayhooks_create_webhook(client, "R1", "", NULL, 0, &bundle, NULL),
                     STAYHOOKS_OK);
    const test_request *req = test_server_request(test_group_server, 0);
    assert_non_null(req);
    assert_string_equal(req->body,
                        "{\"label\":\"\",\"permissions\":[\"message\",\"embed\",\"poll\",\"image\"]}");
    stayhooks_secret_bundle_free(bundle);
    stayhooks_client_free(client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_token_with_line_break, test_group_reset),
        cmocka_unit_test_setup(test_token_from_env_with_line_break, test_group_reset),
        cmocka_unit_test_setup(test_user_agent_with_line_break, test_group_reset),
        cmocka_unit_test_setup(test_secret_with_line_break, test_group_reset),
        cmocka_unit_test_setup(test_secret_checked_in_dry_run, test_group_reset),
        cmocka_unit_test_setup(test_secret_checked_in_batch, test_group_reset),
        cmocka_unit_test_setup(test_malformed_base_url, test_group_reset),
        cmocka_unit_test_setup(test_malformed_api_prefix, test_group_reset),
        cmocka_unit_test_setup(test_malformed_base_url_from_env, test_group_reset),
        cmocka_unit_test_setup(test_base_url_spaces_trimmed, test_group_reset),
        cmocka_unit_test_setup(test_malformed_invoke_url, test_group_reset),
        cmocka_unit_test_setup(test_url_error_hides_credentials, test_group_reset),
        cmocka_unit_test_setup(test_missing_ca_file, test_group_reset),
        cmocka_unit_test_setup(test_create_without_label, test_group_reset),
    };
    return cmocka_run_group_tests(tests, test_group_start, test_group_stop);
}
