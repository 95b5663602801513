/* test_replies.c: how the library judges what a server sends back. A 2xx
 * reply without a required member is an invalid response that names the
 * member, and parts of the secret or token echoed in an error reply are
 * redacted. Replies come from the scripted local server. */
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

#define TOKEN "tok-replies-0123456789abcdef"

static stayhooks_client *new_client(void)
{
    stayhooks_options opts;

    test_group_options(&opts, TOKEN);
    opts.retry.max_attempts = 1;
    return test_group_client(&opts);
}

static void script_reply(int status, const char *body)
{
    test_reply reply = test_reply_with(status, body);
    test_server_script(test_group_server, &reply, 1);
}

typedef enum call_kind { CALL_LIST, CALL_CREATE, CALL_UPDATE, CALL_ROTATE, CALL_ACTIONS } call_kind;

static const char *const call_names[] = { "list", "create", "update", "rotate", "actions" };

/* Makes one management call against a reply with `body` and returns its
 * code; the result is freed at once. */
static int call_with_reply(call_kind kind, const char *body, stayhooks_error **err)
{
    stayhooks_client *client = new_client();
    stayhooks_webhook_list *list = NULL;
    stayhooks_secret_bundle *bundle = NULL;
    stayhooks_webhook *webhook = NULL;
    stayhooks_permitted_actions *actions = NULL;
    stayhooks_webhook_update update = STAYHOOKS_WEBHOOK_UPDATE_INIT;
    int rc = -1;

    script_reply(200, body);
    update.paused = 1;
    switch (kind) {
    case CALL_LIST:
        rc = stayhooks_list_webhooks(client, "R1", &list, err);
        assert_true(rc == STAYHOOKS_OK ? list != NULL : list == NULL);
        break;
    case CALL_CREATE:
        rc = stayhooks_create_webhook(client, "R1", "L", NULL, 0, &bundle, err);
        assert_true(rc == STAYHOOKS_OK ? bundle != NULL : bundle == NULL);
        break;
    case CALL_UPDATE:
        rc = stayhooks_update_webhook(client, "R1", "W1", &update, &webhook, err);
        assert_true(rc == STAYHOOKS_OK ? webhook != NULL : webhook == NULL);
        break;
    case CALL_ROTATE:
        rc = stayhooks_rotate_secret(client, "R1", "W1", &bundle, err);
        assert_true(rc == STAYHOOKS_OK ? bundle != NULL : bundle == NULL);
        break;
    case CALL_ACTIONS:
        rc = stayhooks_get_permitted_actions(client, "R1", &actions, err);
        assert_true(rc == STAYHOOKS_OK ? actions != NULL : actions == NULL);
        break;
    }
    stayhooks_webhook_list_free(list);
    stayhooks_secret_bundle_free(bundle);
    stayhooks_webhook_free(webhook);
    stayhooks_permitted_actions_free(actions);
    stayhooks_client_free(client);
    return rc;
}

static void test_missing_members_rejected(void **state)
{
    (void)state;
    static const struct {
        call_kind kind;
        const char *body;
        const char *message;
    } cases[] = {
        { CALL_UPDATE, "{}", "reply has no \"webhook.id\" member" },
        { CALL_UPDATE, "", "reply has no \"webhook.id\" member" },
        { CALL_UPDATE, "{\"webhook\":{}}", "reply has no \"webhook.id\" member" },
        { CALL_UPDATE, "{\"webhook\":{\"id\":null,\"label\":\"L\"}}",
          "reply has no \"webhook.id\" member" },
        { CALL_UPDATE, "{\"webhook\":{\"id\":5}}", "reply member \"id\" is not a string" },
        { CALL_LIST, "{}", "reply has no \"webhooks\" member" },
        { CALL_LIST, "{\"roomId\":\"R1\",\"webhooks\":null}", "reply has no \"webhooks\" member" },
        { CALL_LIST, "{\"webhooks\":{}}", "reply member \"webhooks\" is not an array" },
        { CALL_LIST, "{\"webhooks\":[{}]}", "reply has no \"webhooks[0].id\" member" },
        { CALL_LIST, "{\"webhooks\":[{\"id\":\"a\"},{\"label\":\"B\"}]}",
          "reply has no \"webhooks[1].id\" member" },
        { CALL_LIST, "{\"webhooks\":[{\"id\":\"a\"},7]}", "webhooks[1] is not a JSON object" },
        { CALL_ACTIONS, "{}", "reply has no \"actions\" member" },
        { CALL_ACTIONS, "{\"actions\":null,\"limit\":3}", "reply has no \"actions\" member" },
        { CALL_CREATE, "{}", "reply has no \"secret\" member" },
        { CALL_CREATE, "{\"webhook\":{\"id\":\"w\"},\"secret\":null}",
          "reply has no \"secret\" member" },
        { CALL_CREATE, "{\"webhook\":{},\"secret\":\"whk_1\"}",
          "reply has no \"webhook.id\" member" },
        { CALL_ROTATE, "{\"webhook\":{\"id\":\"w\"}}", "reply has no \"secret\" member" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        stayhooks_error *err = NULL;
        int rc = call_with_reply(cases[i].kind, cases[i].body, &err);
        if (rc != STAYHOOKS_ERR_INVALID_RESPONSE)
            fail_msg("%s reply '%s': code %d, expected invalid response",
                     call_names[cases[i].kind], cases[i].body, rc);
        if (strstr(stayhooks_error_message(err), cases[i].message) == NULL)
            fail_msg("%s reply '%s': message \"%s\" lacks \"%s\"", call_names[cases[i].kind],
                     cases[i].body, stayhooks_error_message(err), cases[i].message);
        stayhooks_error_free(err);
    }
}

static void test_minimal_replies_accepted(void **state)
{
    (void)state;
    static const struct {
        call_kind kind;
        const char *body;
    } cases[] = {
        { CALL_UPDATE, "{\"id\":\"w\"}" },
        { CALL_UPDATE, "{\"webhook\":{\"id\":\"w\",\"label\":null,\"permissions\":null}}" },
        { CALL_LIST, "{\"webhooks\":[]}" },
        { CALL_LIST, "{\"roomId\":null,\"limit\":null,\"webhooks\":[{\"id\":\"a\"}]}" },
        { CALL_ACTIONS, "{\"actions\":[]}" },
        { CALL_CREATE, "{\"secret\":\"whk_1\"}" },
        { CALL_CREATE, "{\"webhook\":null,\"secret\":\"whk_1\"}" },
        { CALL_ROTATE, "{\"webhook\":{\"id\":\"w\"},\"secret\":\"whk_2\"}" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        stayhooks_error *err = NULL;
        if (call_with_reply(cases[i].kind, cases[i].body, &err) != STAYHOOKS_OK)
            fail_msg("%s reply '%s' rejected: %s", call_names[cases[i].kind], cases[i].body,
                     stayhooks_error_message(err));
    }
}

/* Fails when `text` contains a run of `min_run` or more characters of
 * `secret` after its public "whk_" prefix. */
static void assert_no_secret_run(const char *text, const char *secret, size_t min_run)
{
    if (text == NULL)
        return;
    size_t secret_len = strlen(secret);
    for (size_t i = strlen("whk_"); i + min_run <= secret_len; i++) {
        char run[64];
        assert_true(min_run < sizeof(run));
        memcpy(run, secret + i, min_run);
        run[min_run] = '\0';
        if (strstr(text, run) != NULL)
            fail_msg("\"%s\" contains \"%s\" from the secret", text, run);
    }
}

static void test_echoed_secret_prefix_redacted(void **state)
{
    (void)state;
    const char *secret = "whk_Q2xpZW50U2VjcmV0VmFsdWUwMTIzNDU2Nzg5";
    /* The first 20 characters, then the last 16, as servers that cut
     * long values might send them. */
    script_reply(401, "{\"error\":\"secret whk_Q2xpZW50U2VjcmV0V... is not valid; "
                      "ends in ...MTIzNDU2Nzg5\"}");
    stayhooks_client *client = new_client();
    stayhooks_target target = { "R1", "W1", NULL, secret };
    stayhooks_message message = { "hello", NULL, NULL };
    stayhooks_error *err = NULL;

    assert_int_equal(stayhooks_send_message(client, &target, &message, NULL, &err),
                     STAYHOOKS_ERR_AUTH);
    assert_string_equal(stayhooks_error_message(err),
                        "secret <redacted>... is not valid; ends in ...<redacted>");
    assert_no_secret_run(stayhooks_error_message(err), secret, 8);
    assert_no_secret_run(stayhooks_error_body(err), secret, 8);
    assert_no_secret_run(stayhooks_error_payload_json(err), secret, 8);
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

static void test_echoed_token_prefix_redacted(void **state)
{
    (void)state;
    script_reply(403, "token tok-replies-0123 is not an owner");
    stayhooks_client *client = new_client();
    stayhooks_error *err = NULL;

    assert_int_equal(stayhooks_list_webhooks(client, "R1", NULL, &err), STAYHOOKS_ERR_AUTH);
    assert_string_equal(stayhooks_error_message(err), "token <redacted> is not an owner");
    assert_null(strstr(stayhooks_error_body(err), "tok-replies-0123"));
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

/* jansson's error text quotes the bytes near the error, and here they
 * include a line break, which must not split the one-line message. */
static void test_bad_json_message_one_line(void **state)
{
    (void)state;
    script_reply(200, "{\"webhooks\":\"a\\\n\r\tb\"}");
    stayhooks_client *client = new_client();
    stayhooks_webhook_list *list = NULL;
    stayhooks_error *err = NULL;

    assert_int_equal(stayhooks_list_webhooks(client, "R1", &list, &err),
                     STAYHOOKS_ERR_INVALID_RESPONSE);
    assert_null(list);
    assert_non_null(strstr(stayhooks_error_message(err), "is not a JSON object"));
    assert_null(strchr(stayhooks_error_message(err), '\n'));
    assert_null(strchr(stayhooks_error_message(err), '\r'));
    assert_null(strchr(stayhooks_error_message(err), '\t'));
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

/* Messages are one line of valid UTF-8, whatever bytes the server sent:
 * Unicode line separators and C1 controls become spaces, and invalid
 * bytes become '?'. */
static void test_error_message_clean_text(void **state)
{
    (void)state;
    stayhooks_client *client = new_client();
    stayhooks_error *err = NULL;

    script_reply(500, "{\"error\":\"a\\u2028b\\u0085c\\u001bd\"}");
    assert_int_equal(stayhooks_list_webhooks(client, "R1", NULL, &err), STAYHOOKS_ERR_HTTP);
    assert_string_equal(stayhooks_error_message(err), "a b c d");
    stayhooks_error_free(err);

    err = NULL;
    script_reply(500, "bad \xff\xfe text \xc3");
    assert_int_equal(stayhooks_list_webhooks(client, "R1", NULL, &err), STAYHOOKS_ERR_HTTP);
    assert_string_equal(stayhooks_error_message(err), "bad ?? text ?");
    stayhooks_error_free(err);
    stayhooks_client_free(client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_missing_members_rejected, test_group_reset),
        cmocka_unit_test_setup(test_minimal_replies_accepted, test_group_reset),
        cmocka_unit_test_setup(test_echoed_secret_prefix_redacted, test_group_reset),
        cmocka_unit_test_setup(test_echoed_token_prefix_redacted, test_group_reset),
        cmocka_unit_test_setup(test_bad_json_message_one_line, test_group_reset),
        cmocka_unit_test_setup(test_error_message_clean_text, test_group_reset),
    };
    return cmocka_run_group_tests(tests, test_group_start, test_group_stop);
}
