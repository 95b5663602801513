/* Read-back endpoints: what a room received, in order, exactly as sent,
 * readable by any member and no one else. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "fixture.h"

#define TRICKY_TEXT "caf\xC3\xA9 \xF0\x9F\x9A\x80 \\\"quoted\\\" back\\\\slash\\nnew line\\ttab <b>&amp;</b>"
#define TRICKY_DECODED "caf\xC3\xA9 \xF0\x9F\x9A\x80 \"quoted\" back\\slash\nnew line\ttab <b>&amp;</b>"
#define EMBED_JSON \
    "{\"title\":\"Deploy \xE2\x9C\x85\",\"description\":\"line 1\\n\\n\xE2\x80\xA2 note\"," \
    "\"color\":\"#0f0\",\"url\":\"https://ci.test/1\",\"fields\":[{\"name\":\"a\",\"value\":1}],\"footer\":\"f\"}"

static struct fixture fx;
static json_t *hook;
static char message_id[64];
static char poll_id[64];

static const char *hook_id(void)
{
    return json_string_value(json_object_get(json_object_get(hook, "webhook"), "id"));
}

static void invoke_ok(const char *body, struct reply *out)
{
    const char *secret = json_string_value(json_object_get(hook, "secret"));
    long status = fixture_invoke(&fx, ROOM, hook_id(), secret, body, out);

    if (status != 200)
        print_error("invoke %s: %ld %s\n", body, status, out->body);
    assert_int_equal(status, 200);
}

static int group_setup(void **state)
{
    struct reply reply;
    (void)state;

    if (fixture_setup(&fx, NULL) != 0)
        return -1;
    hook = fixture_create_webhook(&fx, ROOM, fx.owner_token, "{\"label\":\"reader\"}");

    invoke_ok("{\"action\":\"message\",\"payload\":{\"text\":\"" TRICKY_TEXT "\",\"alias\":\"Bot \xF0\x9F\xA4\x96\"}}",
              &reply);
    snprintf(message_id, sizeof message_id, "%s", json_string_value(json_object_get(reply.json, "messageId")));
    reply_free(&reply);
    invoke_ok("{\"action\":\"embed\",\"payload\":{\"embed\":" EMBED_JSON ",\"text\":\"see card\"}}", &reply);
    reply_free(&reply);
    invoke_ok("{\"action\":\"poll\",\"payload\":{\"question\":\"Lunch?\",\"options\":[\"Pizza \xF0\x9F\x8D\x95\",\"Soup\"],"
              "\"multipleChoice\":true,\"endsInMinutes\":30}}", &reply);
    snprintf(poll_id, sizeof poll_id, "%s", json_string_value(json_object_get(reply.json, "pollId")));
    reply_free(&reply);
    invoke_ok("{\"action\":\"poll\",\"payload\":{\"question\":\"Again?\",\"options\":[\"y\",\"n\"]}}", &reply);
    reply_free(&reply);
    invoke_ok("{\"action\":\"image\",\"payload\":{\"url\":\"https://img.test/a.png\",\"w\":360,\"h\":240,"
              "\"x\":420,\"y\":260}}", &reply);
    reply_free(&reply);
    invoke_ok("{\"action\":\"image\",\"payload\":{\"url\":\"https://img.test/b.png\"}}", &reply);
    reply_free(&reply);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    json_decref(hook);
    return fixture_teardown(&fx);
}

static json_t *read_back(const char *what, const char *token)
{
    char path[64];
    char *url;
    struct reply reply;
    json_t *result;

    snprintf(path, sizeof path, "rooms/%%R/%s", what);
    url = fixture_url(&fx, path, ROOM, NULL);
    fixture_request(&fx, "GET", url, token, NULL, NULL, &reply);
    free(url);
    assert_int_equal(reply.status, 200);
    assert_string_equal(json_string_value(json_object_get(reply.json, "roomId")), ROOM);
    result = json_incref(reply.json);
    reply_free(&reply);
    return result;
}

static const char *str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void messages_arrive_in_order_unchanged(void **state)
{
    json_t *all = read_back("messages", fx.member_token);
    json_t *messages = json_object_get(all, "messages");
    json_t *first = json_array_get(messages, 0);
    json_t *embed = json_array_get(messages, 1);
    json_t *poll = json_array_get(messages, 2);
    json_t *sent_embed = json_loads(EMBED_JSON, 0, NULL);
    char *sent_text = NULL;
    char *got_text = NULL;
    (void)state;

    /* Two polls make messages too; images go to the board only. */
    assert_int_equal(json_array_size(messages), 4);

    assert_string_equal(str(first, "id"), message_id);
    assert_string_equal(str(first, "webhookId"), hook_id());
    assert_string_equal(str(first, "kind"), "message");
    assert_string_equal(str(first, "text"), TRICKY_DECODED);
    assert_string_equal(str(first, "alias"), "Bot \xF0\x9F\xA4\x96");
    assert_true(json_is_null(json_object_get(first, "embed")));
    assert_true(json_is_null(json_object_get(first, "pollId")));
    assert_true(json_is_null(json_object_get(first, "extra")));
    assert_non_null(str(first, "createdAt"));

    assert_string_equal(str(embed, "kind"), "embed");
    assert_string_equal(str(embed, "text"), "see card");
    assert_true(json_is_null(json_object_get(embed, "alias")));
    /* Same members, same order, same values. */
    sent_text = json_dumps(sent_embed, JSON_COMPACT);
    got_text = json_dumps(json_object_get(embed, "embed"), JSON_COMPACT);
    assert_string_equal(got_text, sent_text);
    assert_true(json_is_null(json_object_get(embed, "extra")));

    assert_string_equal(str(poll, "kind"), "poll");
    assert_string_equal(str(poll, "pollId"), poll_id);
    assert_true(json_is_null(json_object_get(poll, "text")));
    assert_string_equal(str(json_array_get(messages, 3), "kind"), "poll");

    free(sent_text);
    free(got_text);
    json_decref(sent_embed);
    json_decref(all);
}

static void polls_list_options_and_end(void **state)
{
    json_t *all = read_back("polls", fx.owner_token);
    json_t *polls = json_object_get(all, "polls");
    json_t *first = json_array_get(polls, 0);
    json_t *second = json_array_get(polls, 1);
    json_t *messages = read_back("messages", fx.owner_token);
    (void)state;

    assert_int_equal(json_array_size(polls), 2);
    assert_string_equal(str(first, "id"), poll_id);
    assert_string_equal(str(first, "messageId"),
                        str(json_array_get(json_object_get(messages, "messages"), 2), "id"));
    assert_string_equal(str(first, "webhookId"), hook_id());
    assert_string_equal(str(first, "question"), "Lunch?");
    assert_int_equal(json_array_size(json_object_get(first, "options")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(first, "options"), 0)),
                        "Pizza \xF0\x9F\x8D\x95");
    assert_true(json_is_true(json_object_get(first, "multipleChoice")));
    assert_int_equal(json_integer_value(json_object_get(first, "endsInMinutes")), 30);
    assert_non_null(str(first, "endsAt"));
    assert_true(strcmp(str(first, "endsAt"), str(first, "createdAt")) > 0);

    assert_true(json_is_false(json_object_get(second, "multipleChoice")));
    assert_true(json_is_null(json_object_get(second, "endsInMinutes")));
    assert_true(json_is_null(json_object_get(second, "endsAt")));
    json_decref(all);
    json_decref(messages);
}

static void board_lists_images(void **state)
{
    json_t *all = read_back("board", fx.admin_token);
    json_t *images = json_object_get(all, "images");
    json_t *placed = json_array_get(images, 0);
    json_t *plain = json_array_get(images, 1);
    (void)state;

    assert_int_equal(json_array_size(images), 2);
    assert_string_equal(str(placed, "url"), "https://img.test/a.png");
    assert_string_equal(str(placed, "webhookId"), hook_id());
    assert_true(strncmp(str(placed, "id"), "img_", 4) == 0);
    assert_int_equal(json_integer_value(json_object_get(placed, "w")), 360);
    assert_int_equal(json_integer_value(json_object_get(placed, "h")), 240);
    assert_int_equal(json_integer_value(json_object_get(placed, "x")), 420);
    assert_int_equal(json_integer_value(json_object_get(placed, "y")), 260);
    assert_string_equal(str(plain, "url"), "https://img.test/b.png");
    assert_true(json_is_null(json_object_get(plain, "w")));
    assert_true(json_is_null(json_object_get(plain, "h")));
    assert_true(json_is_null(json_object_get(plain, "x")));
    assert_true(json_is_null(json_object_get(plain, "y")));
    assert_non_null(str(plain, "createdAt"));
    json_decref(all);
}

static void readback_needs_membership(void **state)
{
    static const char *const what[] = { "rooms/%R/messages", "rooms/%R/polls", "rooms/%R/board" };
    (void)state;

    for (size_t i = 0; i < 3; i++) {
        const char *tokens[] = { fx.stranger_token, fx.other_token, NULL };
        const long expected[] = { 403, 403, 401 };
        char *url = fixture_url(&fx, what[i], ROOM, NULL);
        char *missing = fixture_url(&fx, what[i], "no room", NULL);
        struct reply reply;

        for (size_t t = 0; t < 3; t++) {
            fixture_request(&fx, "GET", url, tokens[t], NULL, NULL, &reply);
            assert_int_equal(reply.status, expected[t]);
            assert_non_null(json_object_get(reply.json, "error"));
            reply_free(&reply);
        }
        fixture_request(&fx, "GET", missing, fx.owner_token, NULL, NULL, &reply);
        assert_int_equal(reply.status, 404);
        reply_free(&reply);
        free(url);
        free(missing);
    }
}

static void other_room_is_separate(void **state)
{
    char *url = fixture_url(&fx, "rooms/%R/messages", OTHER_ROOM, NULL);
    struct reply reply;
    (void)state;

    fixture_request(&fx, "GET", url, fx.other_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 200);
    assert_int_equal(json_array_size(json_object_get(reply.json, "messages")), 0);
    reply_free(&reply);
    free(url);
}

static void odd_room_ids_round_trip(void **state)
{
    /* The test HTTP helper sends "." and ".." as is (CURLOPT_PATH_AS_IS). */
    static const char *const rooms[] = { "100% ?#&+=", "caf\xC3\xA9/\xF0\x9F\x8E\x89", "a%2Fb", "...", " ",
                                         ".", ".." };
    (void)state;

    for (size_t i = 0; i < sizeof rooms / sizeof rooms[0]; i++) {
        const char *add[] = { "room", "add", rooms[i], "--owner", "alice", NULL };
        char *url = fixture_url(&fx, "rooms/%R/messages", rooms[i], NULL);
        json_t *created;
        struct reply reply;

        assert_int_equal(test_server_command(fx.db, add, NULL, 0), 0);
        created = fixture_create_webhook(&fx, rooms[i], fx.owner_token, "{\"label\":\"odd\"}");
        assert_int_equal(fixture_invoke(&fx, rooms[i],
                                        json_string_value(json_object_get(json_object_get(created, "webhook"), "id")),
                                        json_string_value(json_object_get(created, "secret")),
                                        "{\"action\":\"message\",\"payload\":{\"text\":\"x\"}}", NULL), 200);
        fixture_request(&fx, "GET", url, fx.owner_token, NULL, NULL, &reply);
        assert_int_equal(reply.status, 200);
        assert_string_equal(str(reply.json, "roomId"), rooms[i]);
        assert_int_equal(json_array_size(json_object_get(reply.json, "messages")), 1);
        reply_free(&reply);
        free(url);
        json_decref(created);
    }
}

/* Reads the messages of `room` with `token` from the server of `instance`
 * and asserts 200. The caller json_decref()s the returned array. */
static json_t *messages_of(const struct fixture *instance, const char *room, const char *token)
{
    char *url = fixture_url(instance, "rooms/%R/messages", room, NULL);
    struct reply reply;
    json_t *messages;

    fixture_request(instance, "GET", url, token, NULL, NULL, &reply);
    free(url);
    assert_int_equal(reply.status, 200);
    messages = json_incref(json_object_get(reply.json, "messages"));
    reply_free(&reply);
    assert_non_null(messages);
    return messages;
}

/* Sends one message with `body_json` through a new webhook in `room`. */
static void send_through_new_webhook(const struct fixture *instance, const char *room,
                                     const char *token, const char *body_json)
{
    json_t *created = fixture_create_webhook(instance, room, token, "{\"label\":\"extras\"}");
    const char *id = json_string_value(json_object_get(json_object_get(created, "webhook"), "id"));
    const char *secret = json_string_value(json_object_get(created, "secret"));

    assert_int_equal(fixture_invoke(instance, room, id, secret, body_json, NULL), 200);
    json_decref(created);
}

/* Message members other than text and alias come back in "extra", in
 * their order and with their values. */
static void message_extra_members_kept(void **state)
{
    const char *add[] = { "room", "add", "extras", "--owner", "alice", NULL };
    json_t *messages;
    json_t *got;
    char *extra;
    (void)state;

    assert_int_equal(test_server_command(fx.db, add, NULL, 0), 0);
    send_through_new_webhook(&fx, "extras", fx.owner_token,
                             "{\"action\":\"message\",\"payload\":{\"thread\":\"t-1\",\"text\":\"with extras\","
                             "\"attachments\":[{\"name\":\"caf\xC3\xA9.txt\",\"size\":12}],\"alias\":\"A\","
                             "\"silent\":true,\"meta\":null}}");

    messages = messages_of(&fx, "extras", fx.owner_token);
    assert_int_equal(json_array_size(messages), 1);
    got = json_array_get(messages, 0);
    assert_string_equal(str(got, "text"), "with extras");
    assert_string_equal(str(got, "alias"), "A");
    extra = json_dumps(json_object_get(got, "extra"), JSON_COMPACT);
    assert_non_null(extra);
    assert_string_equal(extra, "{\"thread\":\"t-1\",\"attachments\":[{\"name\":\"caf\xC3\xA9.txt\",\"size\":12}],"
                               "\"silent\":true,\"meta\":null}");
    free(extra);
    json_decref(messages);
}

/* A database made before messages had an "extra" column: the server adds
 * the column on open, keeps the old rows and stores extras for new ones. */
static void old_database_gains_extra_column(void **state)
{
    static const char *const old_schema =
        "CREATE TABLE messages ("
        "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  id TEXT NOT NULL UNIQUE, room_id TEXT NOT NULL, webhook_id TEXT NOT NULL,"
        "  kind TEXT NOT NULL, alias TEXT, text TEXT, embed TEXT, poll_id TEXT,"
        "  created_at TEXT NOT NULL);"
        "INSERT INTO messages (id, room_id, webhook_id, kind, text, created_at) VALUES"
        "  ('msg_old', 'legacy', 'wh_old', 'message', 'from before', '2026-01-02T03:04:05.678Z');";
    const char *add[] = { "room", "add", "legacy", "--owner", "alice", NULL };
    struct fixture old;
    sqlite3 *db = NULL;
    json_t *messages;
    json_t *got;
    (void)state;

    memset(&old, 0, sizeof old);
    assert_int_equal(test_temp_dir(old.dir, sizeof old.dir), 0);
    assert_int_equal(test_path_join(old.db, sizeof old.db, old.dir, "old.db"), 0);
    assert_int_equal(sqlite3_open(old.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, old_schema, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(test_server_command(old.db, add, NULL, 0), 0);
    old.owner_token = test_mint_token(old.db, "alice", 0);
    assert_non_null(old.owner_token);
    assert_int_equal(test_server_start(&old.server, old.db, NULL), 0);

    send_through_new_webhook(&old, "legacy", old.owner_token,
                             "{\"action\":\"message\",\"payload\":{\"text\":\"new\",\"attachments\":[]}}");
    messages = messages_of(&old, "legacy", old.owner_token);
    assert_int_equal(json_array_size(messages), 2);
    got = json_array_get(messages, 0);
    assert_string_equal(str(got, "id"), "msg_old");
    assert_string_equal(str(got, "text"), "from before");
    assert_true(json_is_null(json_object_get(got, "extra")));
    got = json_array_get(messages, 1);
    assert_string_equal(str(got, "text"), "new");
    assert_int_equal(json_array_size(json_object_get(json_object_get(got, "extra"), "attachments")), 0);
    assert_true(json_is_array(json_object_get(json_object_get(got, "extra"), "attachments")));
    json_decref(messages);

    assert_int_equal(test_server_stop(&old.server), 0);
    free(old.owner_token);
    test_remove_tree(old.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_arrive_in_order_unchanged),
        cmocka_unit_test(polls_list_options_and_end),
        cmocka_unit_test(board_lists_images),
        cmocka_unit_test(readback_needs_membership),
        cmocka_unit_test(other_room_is_separate),
        cmocka_unit_test(odd_room_ids_round_trip),
        cmocka_unit_test(message_extra_members_kept),
        cmocka_unit_test(old_database_gains_extra_column),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
