/* The client library against this server: every call and action round
 * trips, and the read-back endpoints show exactly what the library sent. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "stayhooks.h"

#define TRICKY "  caf\xC3\xA9 \xF0\x9F\x9A\x80 \"quoted\" it's\nline two\\ \t"
#define TRICKY_TRIMMED "caf\xC3\xA9 \xF0\x9F\x9A\x80 \"quoted\" it's\nline two\\"

static struct fixture fx;
static stayhooks_client *owner;
static stayhooks_client *member;

static stayhooks_client *client_for(const char *token)
{
    stayhooks_options options;
    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;

    stayhooks_options_init(&options);
    options.base_url = fx.server.base_url;
    options.token = token;
    options.default_alias = "Default Bot";
    options.retry.max_attempts = 1;
    options.timeout_ms = 10000;
    if (stayhooks_client_new(&options, &client, &err) != STAYHOOKS_OK) {
        print_error("client: %s\n", stayhooks_error_message(err));
        stayhooks_error_free(err);
        return NULL;
    }
    return client;
}

static int group_setup(void **state)
{
    (void)state;
    if (fixture_setup(&fx, NULL) != 0)
        return -1;
    owner = client_for(fx.owner_token);
    member = client_for(fx.member_token);
    return owner != NULL && member != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    stayhooks_client_free(owner);
    stayhooks_client_free(member);
    return fixture_teardown(&fx);
}

/* Fails the test with the library's message when rc is not OK. */
static void expect_ok(int rc, stayhooks_error *err, const char *what)
{
    if (rc != STAYHOOKS_OK) {
        print_error("%s: %s (%ld) %s\n", what, stayhooks_code_name((stayhooks_code)rc),
                    stayhooks_error_status(err), stayhooks_error_message(err));
        stayhooks_error_free(err);
    }
    assert_int_equal(rc, STAYHOOKS_OK);
}

static json_t *read_back(const char *what)
{
    char path[64];
    char *url;
    struct reply reply;
    json_t *result;

    snprintf(path, sizeof path, "rooms/%%R/%s", what);
    url = fixture_url(&fx, path, ROOM, NULL);
    fixture_request(&fx, "GET", url, fx.member_token, NULL, NULL, &reply);
    free(url);
    assert_int_equal(reply.status, 200);
    result = json_incref(json_object_get(reply.json, what[0] == 'b' ? "images" : what));
    reply_free(&reply);
    return result;
}

static void management_calls_round_trip(void **state)
{
    const char *perms[] = { "Poll", "message" };
    stayhooks_secret_bundle *bundle = NULL;
    stayhooks_secret_bundle *rotated = NULL;
    stayhooks_webhook_list *list = NULL;
    stayhooks_webhook_list *denied = NULL;
    stayhooks_permitted_actions *actions = NULL;
    stayhooks_webhook *updated = NULL;
    stayhooks_webhook_update update = STAYHOOKS_WEBHOOK_UPDATE_INIT;
    stayhooks_error *err = NULL;
    stayhooks_target target = { ROOM, NULL, NULL, NULL };
    stayhooks_message hello = { "hello", NULL, NULL };
    int ok = 0;
    int found = 0;
    (void)state;

    expect_ok(stayhooks_create_webhook(owner, ROOM, "Library bot", perms, 2, &bundle, &err), err, "create");
    assert_string_equal(bundle->webhook.label, "Library bot");
    assert_int_equal(bundle->webhook.permission_count, 2);
    assert_string_equal(bundle->webhook.permissions[0], "poll");
    assert_string_equal(bundle->webhook.created_by, "alice");
    assert_true(strncmp(bundle->secret, "whk_", 4) == 0);
    assert_non_null(bundle->invoke_url);
    assert_null(strstr(bundle->example_curl, bundle->secret));

    expect_ok(stayhooks_list_webhooks(owner, ROOM, &list, &err), err, "list");
    assert_string_equal(list->room_id, ROOM);
    assert_int_equal(list->limit, 10);
    for (size_t i = 0; i < list->count; i++)
        found += strcmp(list->webhooks[i].id, bundle->webhook.id) == 0;
    assert_int_equal(found, 1);

    expect_ok(stayhooks_get_permitted_actions(owner, ROOM, &actions, &err), err, "permitted actions");
    assert_int_equal(actions->count, 4);
    assert_int_equal(actions->limit, 10);

    update.label = "Renamed";
    update.paused = 1;
    expect_ok(stayhooks_update_webhook(owner, ROOM, bundle->webhook.id, &update, &updated, &err), err, "update");
    assert_string_equal(updated->label, "Renamed");
    assert_int_equal(updated->paused, 1);

    /* Paused: the server's 403 is an auth error. */
    target.webhook_id = bundle->webhook.id;
    target.secret = bundle->secret;
    assert_int_equal(stayhooks_send_message(owner, &target, &hello, NULL, &err), STAYHOOKS_ERR_AUTH);
    assert_int_equal(stayhooks_error_status(err), 403);
    assert_string_equal(stayhooks_error_message(err), "webhook is paused");
    stayhooks_error_free(err);
    err = NULL;

    expect_ok(stayhooks_rotate_secret(owner, ROOM, bundle->webhook.id, &rotated, &err), err, "rotate");
    assert_string_not_equal(rotated->secret, bundle->secret);
    assert_int_equal(stayhooks_send_message(owner, &target, &hello, NULL, &err), STAYHOOKS_ERR_AUTH);
    assert_int_equal(stayhooks_error_status(err), 401);
    stayhooks_error_free(err);
    err = NULL;

    /* A member may read back but not manage. */
    assert_int_equal(stayhooks_list_webhooks(member, ROOM, &denied, &err), STAYHOOKS_ERR_AUTH);
    assert_null(denied);
    assert_int_equal(stayhooks_error_status(err), 403);
    stayhooks_error_free(err);
    err = NULL;

    expect_ok(stayhooks_delete_webhook(owner, ROOM, bundle->webhook.id, &ok, &err), err, "delete");
    assert_int_equal(ok, 1);
    assert_int_equal(stayhooks_delete_webhook(owner, ROOM, bundle->webhook.id, &ok, &err), STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(err), 404);
    assert_string_equal(stayhooks_error_message(err), "webhook not found");
    stayhooks_error_free(err);

    stayhooks_secret_bundle_free(bundle);
    stayhooks_secret_bundle_free(rotated);
    stayhooks_webhook_list_free(list);
    stayhooks_permitted_actions_free(actions);
    stayhooks_webhook_free(updated);
}

static void every_action_arrives_unchanged(void **state)
{
    stayhooks_secret_bundle *bundle = NULL;
    stayhooks_error *err = NULL;
    stayhooks_invoke_result *result = NULL;
    stayhooks_target target = { ROOM, NULL, NULL, NULL };
    stayhooks_target by_url = { NULL, NULL, NULL, NULL };
    stayhooks_message message = { TRICKY, "Ops \xF0\x9F\xA4\x96", "{\"attachments\":[{\"name\":\"log.txt\"}]}" };
    stayhooks_message plain = { "second", NULL, NULL };
    const char *notes[] = { "  Latency < 180ms ", "", "Docs \"refreshed\"" };
    const char *options[] = { " Pizza \xF0\x9F\x8D\x95 ", "", "Soup" };
    stayhooks_embed embed = { 0 };
    stayhooks_poll poll = { 0 };
    stayhooks_image image = { 0 };
    json_t *messages;
    json_t *polls;
    json_t *images;
    json_t *got;
    char *extra;
    (void)state;

    expect_ok(stayhooks_create_webhook(owner, ROOM, "All actions", NULL, 0, &bundle, &err), err, "create");
    target.webhook_id = bundle->webhook.id;
    target.secret = bundle->secret;
    by_url.invoke_url = bundle->invoke_url;
    by_url.secret = bundle->secret;

    expect_ok(stayhooks_send_message(owner, &target, &message, &result, &err), err, "message");
    assert_int_equal(result->ok, 1);
    assert_string_equal(result->kind, "message");
    assert_non_null(result->message_id);
    stayhooks_invoke_result_free(result);

    /* The invoke URL from the server works as is. */
    expect_ok(stayhooks_send_message(owner, &by_url, &plain, &result, &err), err, "message by URL");
    stayhooks_invoke_result_free(result);

    embed.title = "Release \xE2\x9C\x85";
    embed.description = "  Rollout done  ";
    embed.color = "#22c55e";
    embed.url = "https://ci.test/run/1";
    embed.footer = "CI";
    embed.notes = notes;
    embed.note_count = 3;
    expect_ok(stayhooks_send_embed(owner, &target, &embed, &result, &err), err, "embed");
    assert_string_equal(result->kind, "embed");
    stayhooks_invoke_result_free(result);

    poll.question = "Lunch?";
    poll.options = options;
    poll.option_count = 3;
    poll.multiple_choice = 1;
    poll.ends_in_minutes = 45;
    expect_ok(stayhooks_send_poll(owner, &target, &poll, &result, &err), err, "poll");
    assert_non_null(result->poll_id);
    assert_non_null(result->message_id);
    stayhooks_invoke_result_free(result);

    image.url = " https://img.test/cat.jpeg ";
    image.has_size = 1;
    image.w = 360;
    image.h = 240;
    image.has_position = 1;
    image.x = 420;
    image.y = 260;
    expect_ok(stayhooks_send_image(owner, &target, &image, &result, &err), err, "image");
    assert_string_equal(result->kind, "image");
    assert_non_null(strstr(result->extra_json, "imageId"));
    stayhooks_invoke_result_free(result);

    expect_ok(stayhooks_invoke(owner, &target, "message", "{\"text\":\"raw \\u00e9\"}", &result, &err), err, "raw");
    stayhooks_invoke_result_free(result);

    messages = read_back("messages");
    assert_int_equal(json_array_size(messages), 5);

    got = json_array_get(messages, 0);
    assert_string_equal(json_string_value(json_object_get(got, "text")), TRICKY_TRIMMED);
    assert_string_equal(json_string_value(json_object_get(got, "alias")), "Ops \xF0\x9F\xA4\x96");
    extra = json_dumps(json_object_get(got, "extra"), JSON_COMPACT);
    assert_non_null(extra);
    assert_string_equal(extra, "{\"attachments\":[{\"name\":\"log.txt\"}]}");
    free(extra);

    got = json_array_get(messages, 1);
    assert_string_equal(json_string_value(json_object_get(got, "text")), "second");
    assert_string_equal(json_string_value(json_object_get(got, "alias")), "Default Bot");
    assert_true(json_is_null(json_object_get(got, "extra")));

    got = json_array_get(messages, 2);
    assert_string_equal(json_string_value(json_object_get(got, "kind")), "embed");
    got = json_object_get(got, "embed");
    assert_string_equal(json_string_value(json_object_get(got, "title")), "Release \xE2\x9C\x85");
    assert_string_equal(json_string_value(json_object_get(got, "description")),
                        "Rollout done\n\n\xE2\x80\xA2 Latency < 180ms\n\xE2\x80\xA2 Docs \"refreshed\"");
    assert_string_equal(json_string_value(json_object_get(got, "color")), "#22c55e");
    assert_string_equal(json_string_value(json_object_get(got, "url")), "https://ci.test/run/1");
    assert_string_equal(json_string_value(json_object_get(got, "footer")), "CI");

    assert_string_equal(json_string_value(json_object_get(json_array_get(messages, 3), "kind")), "poll");
    assert_string_equal(json_string_value(json_object_get(json_array_get(messages, 4), "text")), "raw \xC3\xA9");

    polls = read_back("polls");
    assert_int_equal(json_array_size(polls), 1);
    got = json_array_get(polls, 0);
    assert_string_equal(json_string_value(json_object_get(got, "question")), "Lunch?");
    assert_int_equal(json_array_size(json_object_get(got, "options")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(got, "options"), 0)),
                        "Pizza \xF0\x9F\x8D\x95");
    assert_string_equal(json_string_value(json_array_get(json_object_get(got, "options"), 1)), "Soup");
    assert_true(json_is_true(json_object_get(got, "multipleChoice")));
    assert_int_equal(json_integer_value(json_object_get(got, "endsInMinutes")), 45);

    images = read_back("board");
    assert_int_equal(json_array_size(images), 1);
    got = json_array_get(images, 0);
    assert_string_equal(json_string_value(json_object_get(got, "url")), "https://img.test/cat.jpeg");
    assert_int_equal(json_integer_value(json_object_get(got, "w")), 360);
    assert_int_equal(json_integer_value(json_object_get(got, "h")), 240);
    assert_int_equal(json_integer_value(json_object_get(got, "x")), 420);
    assert_int_equal(json_integer_value(json_object_get(got, "y")), 260);

    json_decref(messages);
    json_decref(polls);
    json_decref(images);
    stayhooks_secret_bundle_free(bundle);
}

static void server_field_errors_reach_the_caller(void **state)
{
    stayhooks_secret_bundle *bundle = NULL;
    stayhooks_error *err = NULL;
    stayhooks_target target = { ROOM, NULL, NULL, NULL };
    stayhooks_embed embed = { 0 };
    stayhooks_image image = { 0 };
    (void)state;

    expect_ok(stayhooks_create_webhook(owner, ROOM, "Errors", NULL, 0, &bundle, &err), err, "create");
    target.webhook_id = bundle->webhook.id;
    target.secret = bundle->secret;

    embed.title = "t";
    embed.color = "#12345";
    assert_int_equal(stayhooks_send_embed(owner, &target, &embed, NULL, &err), STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(err), 400);
    assert_string_equal(stayhooks_error_message(err), "payload.embed.color must be #RGB or #RRGGBB");
    stayhooks_error_free(err);
    err = NULL;

    image.url = "https://img.test/x.png";
    image.has_size = 1;
    image.w = 5000;
    image.h = 10;
    assert_int_equal(stayhooks_send_image(owner, &target, &image, NULL, &err), STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(err), 400);
    assert_string_equal(stayhooks_error_message(err), "payload.w must be between 1 and 4096");
    stayhooks_error_free(err);

    stayhooks_secret_bundle_free(bundle);
}

/* A room named ".." is reached as itself: the library and the test HTTP
 * helper send dot segments as is, the server routes them as IDs, and the
 * invoke URL escapes the segment as "%2E%2E" and works too. */
static void dot_dot_room_round_trips(void **state)
{
    const char *add[] = { "room", "add", "..", "--owner", "alice", NULL };
    stayhooks_secret_bundle *bundle = NULL;
    stayhooks_webhook_list *list = NULL;
    stayhooks_invoke_result *result = NULL;
    stayhooks_error *err = NULL;
    stayhooks_target target = { "..", NULL, NULL, NULL };
    stayhooks_target by_url = { NULL, NULL, NULL, NULL };
    stayhooks_message message = { "to the dot-dot room", NULL, NULL };
    struct reply reply;
    char *url;
    (void)state;

    assert_int_equal(test_server_command(fx.db, add, NULL, 0), 0);
    expect_ok(stayhooks_create_webhook(owner, "..", "Dots", NULL, 0, &bundle, &err), err, "create");
    assert_non_null(strstr(bundle->invoke_url, "/api/webhooks/%2E%2E/"));
    assert_non_null(strstr(bundle->example_curl, bundle->invoke_url));

    expect_ok(stayhooks_list_webhooks(owner, "..", &list, &err), err, "list");
    assert_string_equal(list->room_id, "..");
    assert_int_equal(list->count, 1);
    assert_string_equal(list->webhooks[0].id, bundle->webhook.id);

    target.webhook_id = bundle->webhook.id;
    target.secret = bundle->secret;
    expect_ok(stayhooks_send_message(owner, &target, &message, &result, &err), err, "send");
    assert_non_null(result->message_id);
    stayhooks_invoke_result_free(result);
    result = NULL;

    by_url.invoke_url = bundle->invoke_url;
    by_url.secret = bundle->secret;
    expect_ok(stayhooks_send_message(owner, &by_url, &message, &result, &err), err, "send by URL");
    assert_non_null(result->message_id);

    /* "." is another room, which does not exist. */
    assert_int_equal(stayhooks_list_webhooks(owner, ".", NULL, &err), STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(err), 404);
    stayhooks_error_free(err);

    url = fixture_url(&fx, "rooms/%R/messages", "..", NULL);
    fixture_request(&fx, "GET", url, fx.owner_token, NULL, NULL, &reply);
    free(url);
    assert_int_equal(reply.status, 200);
    assert_int_equal(json_array_size(json_object_get(reply.json, "messages")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(reply.json, "messages"), 0), "text")),
                        "to the dot-dot room");
    reply_free(&reply);

    stayhooks_invoke_result_free(result);
    stayhooks_webhook_list_free(list);
    stayhooks_secret_bundle_free(bundle);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(management_calls_round_trip),
        cmocka_unit_test(every_action_arrives_unchanged),
        cmocka_unit_test(server_field_errors_reach_the_caller),
        cmocka_unit_test(dot_dot_room_round_trips),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
