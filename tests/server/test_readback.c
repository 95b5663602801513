/* Read-back endpoints: what a room received, in order, exactly as sent,
 * readable by any member and no one else. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

/* GETs `list` ("messages", "polls" or "board") of `room` as the owner,
 * with `query` ("" for none) after the path. The caller reply_free()s. */
static void get_page(const char *room, const char *list, const char *query, struct reply *out)
{
    char path[256];
    char *url;

    snprintf(path, sizeof path, "rooms/%%R/%s%s", list, query);
    url = fixture_url(&fx, path, room, NULL);
    fixture_request(&fx, "GET", url, fx.owner_token, NULL, NULL, out);
    free(url);
}

/* Returns the array of a read-back reply: "images" for the board. */
static json_t *items_of(const struct reply *reply, const char *list)
{
    json_t *items = json_object_get(reply->json, strcmp(list, "board") == 0 ? "images" : list);

    assert_true(json_is_array(items));
    return items;
}

static json_int_t cursor_of(const json_t *obj)
{
    json_t *cursor = json_object_get(obj, "cursor");

    assert_true(json_is_integer(cursor));
    return json_integer_value(cursor);
}

/* Creates `room` owned by alice (the owner token's user) and sends
 * `count` messages "<prefix> 1", "<prefix> 2", ... through a new webhook. */
static void fill_room(const char *room, const char *prefix, int count)
{
    const char *add[] = { "room", "add", room, "--owner", "alice", NULL };
    json_t *created;
    const char *id;
    const char *secret;

    assert_int_equal(test_server_command(fx.db, add, NULL, 0), 0);
    created = fixture_create_webhook(&fx, room, fx.owner_token, "{\"label\":\"pager\"}");
    id = json_string_value(json_object_get(json_object_get(created, "webhook"), "id"));
    secret = json_string_value(json_object_get(created, "secret"));
    for (int i = 1; i <= count; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"action\":\"message\",\"payload\":{\"text\":\"%s %d\"}}", prefix, i);
        assert_int_equal(fixture_invoke(&fx, room, id, secret, body, NULL), 200);
    }
    json_decref(created);
}

/* Without parameters every item is listed as before, with a "cursor"
 * added at the end of each item and of the reply. */
static void items_carry_growing_cursor(void **state)
{
    static const char *const lists[] = { "messages", "polls", "board" };
    static const char *const message_keys[] = { "id", "webhookId", "kind", "alias", "text", "embed",
                                                "pollId", "createdAt", "extra", "cursor" };
    struct reply reply;
    const char *key;
    json_t *value;
    size_t k = 0;
    (void)state;

    for (size_t w = 0; w < 3; w++) {
        json_t *items;
        json_int_t previous = 0;

        get_page(ROOM, lists[w], "", &reply);
        assert_int_equal(reply.status, 200);
        items = items_of(&reply, lists[w]);
        assert_true(json_array_size(items) >= 2);
        for (size_t i = 0; i < json_array_size(items); i++) {
            json_int_t cursor = cursor_of(json_array_get(items, i));
            assert_true(cursor > previous);
            previous = cursor;
        }
        assert_int_equal(cursor_of(reply.json), previous);
        assert_int_equal(json_object_size(reply.json), 3);
        reply_free(&reply);
    }

    /* Existing members keep their order, so clients matching the old text
     * still match. */
    get_page(ROOM, "messages", "", &reply);
    json_object_foreach(json_array_get(items_of(&reply, "messages"), 0), key, value) {
        assert_true(k < sizeof message_keys / sizeof message_keys[0]);
        assert_string_equal(key, message_keys[k]);
        k++;
    }
    assert_int_equal(k, sizeof message_keys / sizeof message_keys[0]);
    reply_free(&reply);
}

/* after=CURSOR lists only what was stored later, oldest first, and an
 * empty page keeps the cursor the client sent. */
static void after_returns_only_newer(void **state)
{
    struct reply reply;
    char query[64];
    json_int_t first;
    json_int_t last;
    json_t *items;
    (void)state;

    fill_room("after room", "after", 3);
    get_page("after room", "messages", "", &reply);
    items = items_of(&reply, "messages");
    assert_int_equal(json_array_size(items), 3);
    first = cursor_of(json_array_get(items, 0));
    last = cursor_of(reply.json);
    reply_free(&reply);

    snprintf(query, sizeof query, "?after=%" JSON_INTEGER_FORMAT, first);
    get_page("after room", "messages", query, &reply);
    assert_int_equal(reply.status, 200);
    items = items_of(&reply, "messages");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(str(json_array_get(items, 0), "text"), "after 2");
    assert_string_equal(str(json_array_get(items, 1), "text"), "after 3");
    assert_int_equal(cursor_of(reply.json), last);
    reply_free(&reply);

    snprintf(query, sizeof query, "?after=%" JSON_INTEGER_FORMAT, last);
    get_page("after room", "messages", query, &reply);
    assert_int_equal(reply.status, 200);
    assert_int_equal(json_array_size(items_of(&reply, "messages")), 0);
    assert_int_equal(cursor_of(reply.json), last);
    reply_free(&reply);

    /* A message stored after the last read is the only new one. */
    fill_room("after room", "later", 1);
    get_page("after room", "messages", query, &reply);
    items = items_of(&reply, "messages");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(str(json_array_get(items, 0), "text"), "later 1");
    assert_true(cursor_of(reply.json) > last);
    reply_free(&reply);

    /* A cursor past the end gives an empty page with that cursor. */
    get_page("after room", "messages", "?after=9223372036854775807", &reply);
    assert_int_equal(reply.status, 200);
    assert_int_equal(json_array_size(items_of(&reply, "messages")), 0);
    assert_int_equal(cursor_of(reply.json), INT64_MAX);
    reply_free(&reply);
}

/* 25 messages read 10 at a time come back as 10, 10 and 5, then an empty
 * page with the same cursor, with no message missing or repeated. */
static void limit_pages_through_everything(void **state)
{
    struct reply reply;
    json_t *all;
    json_t *paged = json_array();
    json_int_t cursor = 0;
    static const size_t expected_sizes[] = { 10, 10, 5, 0 };
    (void)state;

    fill_room("pages", "page", 25);
    get_page("pages", "messages", "", &reply);
    all = json_incref(items_of(&reply, "messages"));
    reply_free(&reply);
    assert_int_equal(json_array_size(all), 25);

    for (size_t round = 0; round < 4; round++) {
        char query[64];
        json_t *items;
        size_t i;
        json_t *item;

        if (round == 0)
            snprintf(query, sizeof query, "?limit=10");
        else
            snprintf(query, sizeof query, "?after=%" JSON_INTEGER_FORMAT "&limit=10", cursor);
        get_page("pages", "messages", query, &reply);
        assert_int_equal(reply.status, 200);
        items = items_of(&reply, "messages");
        assert_int_equal(json_array_size(items), expected_sizes[round]);
        json_array_foreach(items, i, item)
            assert_int_equal(json_array_append(paged, item), 0);
        if (round == 3)
            assert_int_equal(cursor_of(reply.json), cursor);
        cursor = cursor_of(reply.json);
        reply_free(&reply);
    }

    assert_int_equal(json_array_size(paged), 25);
    for (size_t i = 0; i < 25; i++)
        assert_string_equal(str(json_array_get(paged, i), "id"), str(json_array_get(all, i), "id"));
    assert_int_equal(cursor, cursor_of(json_array_get(all, 24)));
    json_decref(paged);
    json_decref(all);
}

/* Polls and board images page the same way: one at a time, two each. */
static void limit_pages_polls_and_board(void **state)
{
    static const char *const lists[] = { "polls", "board" };
    (void)state;

    for (size_t w = 0; w < 2; w++) {
        struct reply reply;
        json_t *all;
        json_int_t cursor = 0;

        get_page(ROOM, lists[w], "", &reply);
        all = json_incref(items_of(&reply, lists[w]));
        reply_free(&reply);
        assert_int_equal(json_array_size(all), 2);

        for (size_t round = 0; round < 3; round++) {
            char query[64];
            json_t *items;

            snprintf(query, sizeof query, "?limit=1&after=%" JSON_INTEGER_FORMAT, cursor);
            get_page(ROOM, lists[w], query, &reply);
            assert_int_equal(reply.status, 200);
            items = items_of(&reply, lists[w]);
            assert_int_equal(json_array_size(items), round < 2 ? 1 : 0);
            if (round < 2)
                assert_string_equal(str(json_array_get(items, 0), "id"),
                                    str(json_array_get(all, round), "id"));
            cursor = cursor_of(reply.json);
            reply_free(&reply);
        }
        assert_int_equal(cursor, cursor_of(json_array_get(all, 1)));
        json_decref(all);
    }
}

/* Bad paging values get 400 with an error naming the parameter, on all
 * three routes, after the token and role checks. */
static void bad_paging_values_rejected(void **state)
{
    static const struct {
        const char *query;
        const char *named;
    } cases[] = {
        { "?after=abc", "query parameter after " },
        { "?after=-1", "query parameter after " },
        { "?after=+1", "query parameter after " },
        { "?after=1.5", "query parameter after " },
        { "?after=0x10", "query parameter after " },
        { "?after=", "query parameter after " },
        { "?after", "query parameter after " },
        { "?after=%31", "query parameter after " },
        { "?after=9223372036854775808", "query parameter after " },
        { "?after=1&after=2", "query parameter after " },
        { "?limit=0", "query parameter limit " },
        { "?limit=1001", "query parameter limit " },
        { "?limit=-5", "query parameter limit " },
        { "?limit=ten", "query parameter limit " },
        { "?limit=", "query parameter limit " },
        { "?limit=10&limit=10", "query parameter limit " },
        { "?after=0&limit=0", "query parameter limit " },
    };
    static const char *const lists[] = { "messages", "polls", "board" };
    struct reply reply;
    char *url;
    (void)state;

    for (size_t w = 0; w < 3; w++) {
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            get_page(ROOM, lists[w], cases[c].query, &reply);
            if (reply.status != 400 || strstr(reply_error_text(&reply), cases[c].named) == NULL)
                print_error("GET %s%s: %ld %s\n", lists[w], cases[c].query, reply.status, reply.body);
            assert_int_equal(reply.status, 400);
            assert_non_null(strstr(reply_error_text(&reply), cases[c].named));
            reply_free(&reply);
        }
    }

    /* The largest valid values are accepted. */
    get_page(ROOM, "messages", "?after=9223372036854775807&limit=1000", &reply);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);

    /* The role check runs before the parameter check, so a stranger gets
     * 403 and learns nothing from the parameters. */
    url = fixture_url(&fx, "rooms/%R/messages?limit=0", ROOM, NULL);
    fixture_request(&fx, "GET", url, fx.stranger_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 403);
    reply_free(&reply);
    free(url);
}

/* Query parameters other than after and limit are ignored, as on every
 * other route. */
static void unknown_query_parameter_ignored(void **state)
{
    struct reply plain;
    struct reply extra;
    char *plain_text;
    char *extra_text;
    (void)state;

    get_page(ROOM, "messages", "", &plain);
    get_page(ROOM, "messages", "?since=1&Limit=0&after_=x", &extra);
    assert_int_equal(extra.status, 200);
    plain_text = json_dumps(plain.json, JSON_COMPACT);
    extra_text = json_dumps(extra.json, JSON_COMPACT);
    assert_non_null(plain_text);
    assert_non_null(extra_text);
    assert_string_equal(extra_text, plain_text);
    free(plain_text);
    free(extra_text);
    reply_free(&plain);
    reply_free(&extra);
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
        cmocka_unit_test(items_carry_growing_cursor),
        cmocka_unit_test(after_returns_only_newer),
        cmocka_unit_test(limit_pages_through_everything),
        cmocka_unit_test(limit_pages_polls_and_board),
        cmocka_unit_test(bad_paging_values_rejected),
        cmocka_unit_test(unknown_query_parameter_ignored),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
