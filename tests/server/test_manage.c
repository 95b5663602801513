/* Management endpoints: create, list, update, rotate, delete, permitted
 * actions, and who may call them. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "fixture.h"

static int group_setup(void **state)
{
    static struct fixture fx;

    *state = &fx;
    return fixture_setup(&fx, NULL);
}

static int group_teardown(void **state)
{
    return fixture_teardown(*state);
}

static const char *string_at(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void create_returns_secret_once(void **state)
{
    struct fixture *fx = *state;
    json_t *created = fixture_create_webhook(fx, ROOM, fx->owner_token, "{\"label\":\"Deploy bot\"}");
    json_t *hook = json_object_get(created, "webhook");
    const char *secret = string_at(created, "secret");
    const char *preview = string_at(hook, "secretPreview");
    char *list_url = fixture_url(fx, "webhooks/%R", ROOM, NULL);
    struct reply list;

    assert_non_null(secret);
    assert_true(strncmp(secret, "whk_", 4) == 0);
    assert_true(strlen(secret) >= 4 + 43); /* 32 bytes in base64url */
    assert_string_equal(string_at(hook, "label"), "Deploy bot");
    assert_string_equal(string_at(hook, "createdBy"), "alice");
    assert_non_null(string_at(hook, "createdAt"));
    assert_true(json_is_null(json_object_get(hook, "lastUsedAt")));
    assert_true(json_is_false(json_object_get(hook, "paused")));
    assert_int_equal(json_array_size(json_object_get(hook, "permissions")), 4);
    assert_string_equal(json_string_value(json_array_get(json_object_get(hook, "permissions"), 0)), "message");
    assert_string_equal(json_string_value(json_array_get(json_object_get(hook, "permissions"), 3)), "image");

    assert_non_null(preview);
    assert_true(strlen(preview) < strlen(secret));
    assert_true(strncmp(secret, preview, 8) == 0);

    assert_non_null(strstr(string_at(created, "invokeUrl"), "/api/webhooks/team%2Falpha%20beta/"));
    assert_non_null(strstr(string_at(created, "invokeUrl"), fx->server.base_url));
    assert_null(strstr(string_at(created, "exampleCurl"), secret));
    assert_non_null(strstr(string_at(created, "exampleCurl"), "$STAYHERE_SECRET"));
    assert_null(strstr(string_at(created, "exampleCurl"), "--path-as-is"));
    assert_string_equal(string_at(hook, "invokeUrl"), string_at(created, "invokeUrl"));

    /* The secret is never shown again. */
    fixture_request(fx, "GET", list_url, fx->owner_token, NULL, NULL, &list);
    assert_int_equal(list.status, 200);
    assert_null(strstr(list.body, secret));
    assert_null(strstr(list.body, "\"secret\""));
    reply_free(&list);
    free(list_url);
    json_decref(created);
}

static void create_normalises_permissions(void **state)
{
    struct fixture *fx = *state;
    json_t *created = fixture_create_webhook(fx, ROOM, fx->admin_token,
                                             "{\"label\":\"x\",\"permissions\":[\" Message \",\"EMBED\",\"message\"]}");
    json_t *perms = json_object_get(json_object_get(created, "webhook"), "permissions");

    assert_int_equal(json_array_size(perms), 2);
    assert_string_equal(json_string_value(json_array_get(perms, 0)), "message");
    assert_string_equal(json_string_value(json_array_get(perms, 1)), "embed");
    assert_string_equal(string_at(json_object_get(created, "webhook"), "createdBy"), "adam");
    json_decref(created);
}

struct bad_body {
    const char *body;
    const char *expected_error; /* substring */
};

static void create_rejects_bad_bodies(void **state)
{
    struct fixture *fx = *state;
    static const struct bad_body cases[] = {
        { "{}", "label is required" },
        { "{\"label\":null}", "label is required" },
        { "{\"label\":\"\"}", "label must not be empty" },
        { "{\"label\":\"   \"}", "label must not be empty" },
        { "{\"label\":7}", "label must be a string" },
        { "{\"label\":\"x\",\"permissions\":[]}", "permissions must not be empty" },
        { "{\"label\":\"x\",\"permissions\":[\"admin\"]}", "permissions[0]" },
        { "{\"label\":\"x\",\"permissions\":\"message\"}", "permissions must be an array" },
        { "{\"label\":\"x\",\"permissions\":[\"message\",1]}", "permissions[1] must be a string" },
        { "[1,2]", "request body must be a JSON object" },
        { "{\"label\":", "not valid JSON" },
    };
    char *url = fixture_url(fx, "webhooks/%R", ROOM, NULL);

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct reply reply;
        fixture_request(fx, "POST", url, fx->owner_token, NULL, cases[i].body, &reply);
        if (reply.status != 400 || strstr(reply_error_text(&reply), cases[i].expected_error) == NULL)
            print_error("case %zu %s: %ld %s\n", i, cases[i].body, reply.status, reply.body);
        assert_int_equal(reply.status, 400);
        assert_non_null(strstr(reply_error_text(&reply), cases[i].expected_error));
        reply_free(&reply);
    }
    free(url);
}

static void create_counts_label_code_points(void **state)
{
    struct fixture *fx = *state;
    char body[1024];
    char label[512] = "";
    char *url = fixture_url(fx, "webhooks/%R", OTHER_ROOM, NULL);
    struct reply reply;

    /* 100 four-byte emoji are 400 bytes but 100 code points: allowed. */
    for (int i = 0; i < 100; i++)
        strcat(label, "\xF0\x9F\x98\x80");
    snprintf(body, sizeof body, "{\"label\":\"%s\"}", label);
    fixture_request(fx, "POST", url, fx->other_token, NULL, body, &reply);
    assert_int_equal(reply.status, 201);
    reply_free(&reply);

    strcat(label, "x");
    snprintf(body, sizeof body, "{\"label\":\"%s\"}", label);
    fixture_request(fx, "POST", url, fx->other_token, NULL, body, &reply);
    assert_int_equal(reply.status, 400);
    assert_non_null(strstr(reply_error_text(&reply), "label must be at most 100 characters"));
    reply_free(&reply);
    free(url);
}

/* Expected status of one call per caller: owner, admin, member, stranger,
 * owner of another room, no token. */
static void check_roles(struct fixture *fx, const char *method, const char *path,
                        const char *webhook, const char *body, const long expected[6])
{
    const char *tokens[6] = { fx->owner_token, fx->admin_token, fx->member_token,
                              fx->stranger_token, fx->other_token, NULL };
    char *url = fixture_url(fx, path, ROOM, webhook);

    for (size_t i = 0; i < 6; i++) {
        struct reply reply;
        fixture_request(fx, method, url, tokens[i], NULL, body, &reply);
        if (reply.status != expected[i])
            print_error("%s %s caller %zu: %ld %s\n", method, path, i, reply.status, reply.body);
        assert_int_equal(reply.status, expected[i]);
        assert_non_null(reply.json);
        if (expected[i] >= 400)
            assert_true(strlen(reply_error_text(&reply)) > 0);
        reply_free(&reply);
    }
    free(url);
}

static void management_allows_owner_and_admin_only(void **state)
{
    struct fixture *fx = *state;
    json_t *created = fixture_create_webhook(fx, ROOM, fx->owner_token, "{\"label\":\"roles\"}");
    const char *id = string_at(json_object_get(created, "webhook"), "id");
    static const long reads[6] = { 200, 200, 403, 403, 403, 401 };
    static const long creates[6] = { 201, 201, 403, 403, 403, 401 };

    check_roles(fx, "GET", "webhooks/%R", NULL, NULL, reads);
    check_roles(fx, "GET", "webhooks/%R/meta/permitted-actions", NULL, NULL, reads);
    check_roles(fx, "PATCH", "webhooks/%R/%W", id, "{\"label\":\"renamed\"}", reads);
    check_roles(fx, "POST", "webhooks/%R/%W/rotate", id, NULL, reads);
    check_roles(fx, "POST", "webhooks/%R", NULL, "{\"label\":\"r\"}", creates);

    /* Delete last: the owner deletes, then the admin finds nothing. */
    static const long deletes[6] = { 200, 404, 403, 403, 403, 401 };
    check_roles(fx, "DELETE", "webhooks/%R/%W", id, NULL, deletes);
    json_decref(created);
}

static void unknown_room_and_webhook_give_404(void **state)
{
    struct fixture *fx = *state;
    char *room_url = fixture_url(fx, "webhooks/%R", "no such room", NULL);
    char *hook_url = fixture_url(fx, "webhooks/%R/%W", ROOM, "wh_missing");
    char *rotate_url = fixture_url(fx, "webhooks/%R/%W/rotate", ROOM, "wh_missing");
    struct reply reply;

    fixture_request(fx, "GET", room_url, fx->owner_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 404);
    assert_string_equal(reply_error_text(&reply), "room not found");
    reply_free(&reply);

    fixture_request(fx, "PATCH", hook_url, fx->owner_token, NULL, "{\"paused\":true}", &reply);
    assert_int_equal(reply.status, 404);
    assert_string_equal(reply_error_text(&reply), "webhook not found");
    reply_free(&reply);

    fixture_request(fx, "DELETE", hook_url, fx->owner_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 404);
    reply_free(&reply);

    fixture_request(fx, "POST", rotate_url, fx->owner_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 404);
    reply_free(&reply);

    free(room_url);
    free(hook_url);
    free(rotate_url);
}

static void update_changes_given_fields(void **state)
{
    struct fixture *fx = *state;
    json_t *created = fixture_create_webhook(fx, ROOM, fx->owner_token, "{\"label\":\"before\"}");
    const char *id = string_at(json_object_get(created, "webhook"), "id");
    char *url = fixture_url(fx, "webhooks/%R/%W", ROOM, id);
    struct reply reply;
    json_t *hook;

    fixture_request(fx, "PATCH", url, fx->owner_token, NULL,
                    "{\"label\":\"after\",\"permissions\":[\"poll\"],\"paused\":true}", &reply);
    assert_int_equal(reply.status, 200);
    hook = json_object_get(reply.json, "webhook");
    assert_string_equal(string_at(hook, "label"), "after");
    assert_int_equal(json_array_size(json_object_get(hook, "permissions")), 1);
    assert_true(json_is_true(json_object_get(hook, "paused")));
    assert_non_null(string_at(hook, "invokeUrl"));
    reply_free(&reply);

    /* No body changes nothing. */
    fixture_request(fx, "PATCH", url, fx->owner_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 200);
    hook = json_object_get(reply.json, "webhook");
    assert_string_equal(string_at(hook, "label"), "after");
    assert_true(json_is_true(json_object_get(hook, "paused")));
    reply_free(&reply);

    fixture_request(fx, "PATCH", url, fx->owner_token, NULL, "{\"paused\":false}", &reply);
    assert_int_equal(reply.status, 200);
    assert_true(json_is_false(json_object_get(json_object_get(reply.json, "webhook"), "paused")));
    reply_free(&reply);

    fixture_request(fx, "PATCH", url, fx->owner_token, NULL, "{\"paused\":\"yes\"}", &reply);
    assert_int_equal(reply.status, 400);
    assert_string_equal(reply_error_text(&reply), "paused must be a boolean");
    reply_free(&reply);

    fixture_request(fx, "PATCH", url, fx->owner_token, NULL, "{\"permissions\":[]}", &reply);
    assert_int_equal(reply.status, 400);
    reply_free(&reply);

    /* Null means unchanged, as it means "default" on create. */
    fixture_request(fx, "PATCH", url, fx->owner_token, NULL,
                    "{\"label\":null,\"permissions\":null,\"paused\":null}", &reply);
    assert_int_equal(reply.status, 200);
    hook = json_object_get(reply.json, "webhook");
    assert_string_equal(string_at(hook, "label"), "after");
    assert_int_equal(json_array_size(json_object_get(hook, "permissions")), 1);
    assert_true(json_is_false(json_object_get(hook, "paused")));
    reply_free(&reply);

    free(url);
    json_decref(created);
}

static void delete_removes_webhook(void **state)
{
    struct fixture *fx = *state;
    json_t *created = fixture_create_webhook(fx, ROOM, fx->owner_token, "{\"label\":\"gone\"}");
    const char *id = string_at(json_object_get(created, "webhook"), "id");
    const char *secret = string_at(created, "secret");
    char *url = fixture_url(fx, "webhooks/%R/%W", ROOM, id);
    struct reply reply;

    fixture_request(fx, "DELETE", url, fx->admin_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 200);
    assert_true(json_is_true(json_object_get(reply.json, "ok")));
    reply_free(&reply);

    assert_int_equal(fixture_invoke(fx, ROOM, id, secret, "{\"action\":\"message\",\"payload\":{\"text\":\"hi\"}}",
                                    NULL), 404);
    free(url);
    json_decref(created);
}

static void permitted_actions_lists_all_four(void **state)
{
    struct fixture *fx = *state;
    char *url = fixture_url(fx, "webhooks/%R/meta/permitted-actions", ROOM, NULL);
    struct reply reply;
    json_t *actions;

    fixture_request(fx, "GET", url, fx->admin_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 200);
    actions = json_object_get(reply.json, "actions");
    assert_int_equal(json_array_size(actions), 4);
    assert_string_equal(json_string_value(json_array_get(actions, 0)), "message");
    assert_string_equal(json_string_value(json_array_get(actions, 1)), "embed");
    assert_string_equal(json_string_value(json_array_get(actions, 2)), "poll");
    assert_string_equal(json_string_value(json_array_get(actions, 3)), "image");
    assert_int_equal(json_integer_value(json_object_get(reply.json, "limit")), 10);
    reply_free(&reply);
    free(url);
}

static void list_shows_last_used_after_invoke(void **state)
{
    struct fixture *fx = *state;
    json_t *created = fixture_create_webhook(fx, OTHER_ROOM, fx->other_token, "{\"label\":\"used\"}");
    const char *id = string_at(json_object_get(created, "webhook"), "id");
    char *url = fixture_url(fx, "webhooks/%R", OTHER_ROOM, NULL);
    struct reply reply;
    size_t index;
    json_t *hook;
    int found = 0;

    assert_int_equal(fixture_invoke(fx, OTHER_ROOM, id, string_at(created, "secret"),
                                    "{\"action\":\"message\",\"payload\":{\"text\":\"hi\"}}", NULL), 200);
    fixture_request(fx, "GET", url, fx->other_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 200);
    assert_string_equal(string_at(reply.json, "roomId"), OTHER_ROOM);
    json_array_foreach(json_object_get(reply.json, "webhooks"), index, hook) {
        if (strcmp(string_at(hook, "id"), id) != 0)
            continue;
        found = 1;
        assert_non_null(string_at(hook, "lastUsedAt"));
        assert_non_null(string_at(hook, "exampleCurl"));
    }
    assert_true(found);
    reply_free(&reply);
    free(url);
    json_decref(created);
}


/* Returns `url` as curl parses it, with "." and ".." segments removed the
 * way the curl tool and libcurl do before sending. Free with curl_free(). */
static char *curl_normalised_url(const char *url)
{
    CURLU *handle = curl_url();
    char *out = NULL;

    assert_non_null(handle);
    assert_int_equal(curl_url_set(handle, CURLUPART_URL, url, 0), CURLUE_OK);
    assert_int_equal(curl_url_get(handle, CURLUPART_URL, &out, 0), CURLUE_OK);
    curl_url_cleanup(handle);
    return out;
}

/* Rooms named "." and "..": invokeUrl escapes the segment and exampleCurl
 * adds --path-as-is, so curl keeps the segment and reaches the room. */
static void invoke_url_escapes_dot_rooms(void **state)
{
    static const char *const rooms[] = { ".", ".." };
    static const char *const encoded[] = { "%2E", "%2E%2E" };
    struct fixture *fx = *state;
    char *probe = curl_normalised_url("http://127.0.0.1/a/%2E%2E/b");
    int keeps_escaped_dots = strcmp(probe, "http://127.0.0.1/a/%2E%2E/b") == 0;

    curl_free(probe);
    for (size_t i = 0; i < 2; i++) {
        const char *add[] = { "room", "add", rooms[i], "--owner", "alice", NULL };
        json_t *created;
        const char *invoke_url;
        const char *example;
        char prefix[512];
        char command[1024];
        char *sent_url;
        char *messages_url;
        struct reply reply;

        assert_int_equal(test_server_command(fx->db, add, NULL, 0), 0);
        created = fixture_create_webhook(fx, rooms[i], fx->owner_token, "{\"label\":\"Dots\"}");
        invoke_url = string_at(created, "invokeUrl");
        example = string_at(created, "exampleCurl");
        assert_non_null(invoke_url);
        assert_non_null(example);

        snprintf(prefix, sizeof prefix, "%s/api/webhooks/%s/wh_", fx->server.base_url, encoded[i]);
        assert_true(strncmp(invoke_url, prefix, strlen(prefix)) == 0);
        snprintf(command, sizeof command, "curl --path-as-is -X POST '%s' ", invoke_url);
        assert_true(strncmp(example, command, strlen(command)) == 0);

        /* curl 7.88 sends the escaped URL unchanged. Later releases remove
         * "%2E" segments too, which is why exampleCurl has --path-as-is. */
        sent_url = curl_normalised_url(invoke_url);
        if (keeps_escaped_dots)
            assert_string_equal(sent_url, invoke_url);
        curl_free(sent_url);

        fixture_request(fx, "POST", invoke_url, NULL, string_at(created, "secret"),
                        "{\"action\":\"message\",\"payload\":{\"text\":\"dot room\"}}", &reply);
        assert_int_equal(reply.status, 200);
        reply_free(&reply);

        messages_url = fixture_url(fx, "rooms/%R/messages", rooms[i], NULL);
        fixture_request(fx, "GET", messages_url, fx->owner_token, NULL, NULL, &reply);
        free(messages_url);
        assert_int_equal(reply.status, 200);
        assert_int_equal(json_array_size(json_object_get(reply.json, "messages")), 1);
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(reply.json, "messages"), 0), "text")),
                            "dot room");
        reply_free(&reply);
        json_decref(created);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_returns_secret_once),
        cmocka_unit_test(create_normalises_permissions),
        cmocka_unit_test(create_rejects_bad_bodies),
        cmocka_unit_test(create_counts_label_code_points),
        cmocka_unit_test(management_allows_owner_and_admin_only),
        cmocka_unit_test(unknown_room_and_webhook_give_404),
        cmocka_unit_test(update_changes_given_fields),
        cmocka_unit_test(delete_removes_webhook),
        cmocka_unit_test(permitted_actions_lists_all_four),
        cmocka_unit_test(list_shows_last_used_after_invoke),
        cmocka_unit_test(invoke_url_escapes_dot_rooms),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
