/* Field rules of invoke payloads, as a table: each case is one payload,
 * the expected status and, for 400, the exact error naming the field.
 * Lengths are in code points, so boundary cases use four-byte emoji. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#define EMOJI "\xF0\x9F\x98\x80"

static struct fixture fx;
static json_t *hook;
/* Every case is an authenticated invoke; lift the rate limit out of the way. */
static const char *const server_args[] = { "--rate-limit", "100000/1", NULL };

struct field_case {
    const char *action;
    const char *payload;  /* "%s" is replaced by `unit` repeated `repeat` times */
    const char *unit;
    int repeat;
    long status;
    const char *error;    /* exact error for 400, else NULL */
};

static const struct field_case cases[] = {
    /* action and payload */
    { "", "{}", NULL, 0, 400, "action must be one of message, embed, poll, image" },
    { "shout", "{}", NULL, 0, 400, "action must be one of message, embed, poll, image" },

    /* message */
    { "message", "{\"text\":\"%s\"}", EMOJI, 4000, 200, NULL },
    { "message", "{\"text\":\"%s\"}", EMOJI, 4001, 400, "payload.text must be at most 4000 characters" },
    { "message", "{}", NULL, 0, 400, "payload.text is required" },
    { "message", "{\"text\":\"  \\n \"}", NULL, 0, 400, "payload.text must not be empty" },
    { "message", "{\"text\":42}", NULL, 0, 400, "payload.text must be a string" },
    { "message", "{\"text\":\"hi\",\"alias\":\"%s\"}", EMOJI, 80, 200, NULL },
    { "message", "{\"text\":\"hi\",\"alias\":\"%s\"}", "a", 81, 400, "payload.alias must be at most 80 characters" },
    { "message", "{\"text\":\"hi\",\"alias\":false}", NULL, 0, 400, "payload.alias must be a string" },
    { "message", "{\"text\":\"hi\",\"attachments\":[{\"x\":1}]}", NULL, 0, 200, NULL },

    /* embed */
    { "embed", "{}", NULL, 0, 400, "payload.embed is required" },
    { "embed", "{\"embed\":\"card\"}", NULL, 0, 400, "payload.embed must be an object" },
    { "embed", "{\"embed\":{}}", NULL, 0, 400, "payload.embed must have at least one field" },
    { "embed", "{\"embed\":{\"title\":\"\"}}", NULL, 0, 400, "payload.embed must have at least one field" },
    { "embed", "{\"embed\":{\"extra\":1}}", NULL, 0, 400, "payload.embed must have at least one field" },
    { "embed", "{\"embed\":{\"title\":null}}", NULL, 0, 400, "payload.embed.title must be a string" },
    { "embed", "{\"embed\":{\"title\":\"t\",\"footer\":null}}", NULL, 0, 400,
      "payload.embed.footer must be a string" },
    { "embed", "{\"embed\":{\"title\":\"t\",\"extra\":null}}", NULL, 0, 200, NULL },
    { "embed", "{\"embed\":{\"title\":\"%s\"}}", EMOJI, 256, 200, NULL },
    { "embed", "{\"embed\":{\"title\":\"%s\"}}", "t", 257, 400, "payload.embed.title must be at most 256 characters" },
    { "embed", "{\"embed\":{\"title\":1}}", NULL, 0, 400, "payload.embed.title must be a string" },
    { "embed", "{\"embed\":{\"description\":\"%s\"}}", EMOJI, 4096, 200, NULL },
    { "embed", "{\"embed\":{\"description\":\"%s\"}}", "d", 4097, 400,
      "payload.embed.description must be at most 4096 characters" },
    { "embed", "{\"embed\":{\"footer\":\"%s\"}}", EMOJI, 2048, 200, NULL },
    { "embed", "{\"embed\":{\"footer\":\"%s\"}}", "f", 2049, 400, "payload.embed.footer must be at most 2048 characters" },
    { "embed", "{\"embed\":{\"color\":\"#abc\"}}", NULL, 0, 200, NULL },
    { "embed", "{\"embed\":{\"color\":\"#A1B2C3\"}}", NULL, 0, 200, NULL },
    { "embed", "{\"embed\":{\"color\":\"#abcd\"}}", NULL, 0, 400, "payload.embed.color must be #RGB or #RRGGBB" },
    { "embed", "{\"embed\":{\"color\":\"abc\"}}", NULL, 0, 400, "payload.embed.color must be #RGB or #RRGGBB" },
    { "embed", "{\"embed\":{\"color\":\"#ggg\"}}", NULL, 0, 400, "payload.embed.color must be #RGB or #RRGGBB" },
    { "embed", "{\"embed\":{\"color\":255}}", NULL, 0, 400, "payload.embed.color must be #RGB or #RRGGBB" },
    { "embed", "{\"embed\":{\"url\":\"https://example.com/%s\"}}", "a", 2028, 200, NULL },
    { "embed", "{\"embed\":{\"url\":\"https://example.com/%s\"}}", "a", 2029, 400,
      "payload.embed.url must be at most 2048 characters" },
    { "embed", "{\"embed\":{\"url\":\"ftp://example.com\"}}", NULL, 0, 400,
      "payload.embed.url must be an absolute http:// or https:// URL" },
    { "embed", "{\"embed\":{\"url\":\"/relative\"}}", NULL, 0, 400,
      "payload.embed.url must be an absolute http:// or https:// URL" },
    { "embed", "{\"embed\":{\"image\":\"https:///no-host\"}}", NULL, 0, 400,
      "payload.embed.image must be an absolute http:// or https:// URL" },
    { "embed", "{\"embed\":{\"image\":\"http://x/a b.png\"}}", NULL, 0, 400,
      "payload.embed.image must be an absolute http:// or https:// URL" },
    { "embed", "{\"embed\":{\"image\":\"HTTP://example.com/a.png\"}}", NULL, 0, 200, NULL },
    { "embed", "{\"embed\":{\"title\":\"t\"},\"text\":\"%s\"}", "x", 4001, 400,
      "payload.text must be at most 4000 characters" },
    { "embed", "{\"embed\":{\"title\":\"t\"},\"alias\":7}", NULL, 0, 400, "payload.alias must be a string" },

    /* poll */
    { "poll", "{\"options\":[\"a\",\"b\"]}", NULL, 0, 400, "payload.question is required" },
    { "poll", "{\"question\":\"\",\"options\":[\"a\",\"b\"]}", NULL, 0, 400, "payload.question must not be empty" },
    { "poll", "{\"question\":\"%s\",\"options\":[\"a\",\"b\"]}", EMOJI, 300, 200, NULL },
    { "poll", "{\"question\":\"%s\",\"options\":[\"a\",\"b\"]}", "q", 301, 400,
      "payload.question must be at most 300 characters" },
    { "poll", "{\"question\":\"q\"}", NULL, 0, 400, "payload.options is required" },
    { "poll", "{\"question\":\"q\",\"options\":\"a,b\"}", NULL, 0, 400, "payload.options must be an array of strings" },
    { "poll", "{\"question\":\"q\",\"options\":[\"a\"]}", NULL, 0, 400, "payload.options must have 2 to 8 options" },
    { "poll", "{\"question\":\"q\",\"options\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\"]}", NULL, 0, 200, NULL },
    { "poll", "{\"question\":\"q\",\"options\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]}", NULL, 0, 400,
      "payload.options must have 2 to 8 options" },
    { "poll", "{\"question\":\"q\",\"options\":[\"a\",2]}", NULL, 0, 400, "payload.options[1] must be a string" },
    { "poll", "{\"question\":\"q\",\"options\":[\" \",\"b\"]}", NULL, 0, 400, "payload.options[0] must not be empty" },
    { "poll", "{\"question\":\"q\",\"options\":[\"a\",\"%s\"]}", EMOJI, 100, 200, NULL },
    { "poll", "{\"question\":\"q\",\"options\":[\"a\",\"%s\"]}", "o", 101, 400,
      "payload.options[1] must be at most 100 characters" },
    { "poll", "{\"question\":\"q\",\"options\":[\"a\",\"b\"],\"multipleChoice\":\"yes\"}", NULL, 0, 400,
      "payload.multipleChoice must be a boolean" },
    { "poll", "{\"question\":\"q\",\"options\":[\"a\",\"b\"],\"endsInMinutes\":0}", NULL, 0, 400,
      "payload.endsInMinutes must be between 1 and 10080" },
    { "poll", "{\"question\":\"q\",\"options\":[\"a\",\"b\"],\"endsInMinutes\":10081}", NULL, 0, 400,
      "payload.endsInMinutes must be between 1 and 10080" },
    { "poll", "{\"question\":\"q\",\"options\":[\"a\",\"b\"],\"endsInMinutes\":10080}", NULL, 0, 200, NULL },
    { "poll", "{\"question\":\"q\",\"options\":[\"a\",\"b\"],\"endsInMinutes\":1.5}", NULL, 0, 400,
      "payload.endsInMinutes must be an integer" },
    { "poll", "{\"question\":\"q\",\"options\":[\"a\",\"b\"],\"endsInMinutes\":\"30\"}", NULL, 0, 400,
      "payload.endsInMinutes must be an integer" },

    /* image */
    { "image", "{}", NULL, 0, 400, "payload.url is required" },
    { "image", "{\"url\":\"javascript:alert(1)\"}", NULL, 0, 400,
      "payload.url must be an absolute http:// or https:// URL" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"w\":4096,\"h\":1,\"x\":0,\"y\":100000}", NULL, 0, 200, NULL },
    { "image", "{\"url\":\"https://x.test/a.png\",\"w\":0,\"h\":1}", NULL, 0, 400, "payload.w must be between 1 and 4096" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"w\":1,\"h\":4097}", NULL, 0, 400,
      "payload.h must be between 1 and 4096" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"x\":-1,\"y\":0}", NULL, 0, 400,
      "payload.x must be between 0 and 100000" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"x\":0,\"y\":100001}", NULL, 0, 400,
      "payload.y must be between 0 and 100000" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"w\":\"360\",\"h\":1}", NULL, 0, 400,
      "payload.w must be an integer" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"w\":360.0,\"h\":1}", NULL, 0, 400,
      "payload.w must be an integer" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"w\":360}", NULL, 0, 400,
      "payload.w and payload.h must be given together" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"h\":240,\"w\":null}", NULL, 0, 400,
      "payload.w and payload.h must be given together" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"x\":5}", NULL, 0, 400,
      "payload.x and payload.y must be given together" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"y\":5}", NULL, 0, 400,
      "payload.x and payload.y must be given together" },
    { "image", "{\"url\":\"https://x.test/a.png\",\"w\":360,\"h\":240}", NULL, 0, 200, NULL },
    { "image", "{\"url\":\"https://x.test/a.png\",\"x\":0,\"y\":0}", NULL, 0, 200, NULL },
    { "image", "{\"url\":\"https://x.test/%s\"}", "p", 2033, 200, NULL },
    { "image", "{\"url\":\"https://x.test/%s\"}", "p", 2034, 400, "payload.url must be at most 2048 characters" },
};

static int group_setup(void **state)
{
    (void)state;
    if (fixture_setup(&fx, server_args) != 0)
        return -1;
    hook = fixture_create_webhook(&fx, ROOM, fx.owner_token, "{\"label\":\"fields\"}");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    json_decref(hook);
    return fixture_teardown(&fx);
}

/* Builds {"action": ..., "payload": ...} for one case. */
static char *build_body(const struct field_case *c)
{
    size_t unit_len = c->unit != NULL ? strlen(c->unit) : 0;
    size_t fill_len = unit_len * (size_t)c->repeat;
    char *fill = malloc(fill_len + 1);
    size_t size = strlen(c->payload) + fill_len + strlen(c->action) + 64;
    char *payload = malloc(size);
    char *body = malloc(size + 64);

    assert_non_null(fill);
    assert_non_null(payload);
    assert_non_null(body);
    for (int i = 0; i < c->repeat; i++)
        memcpy(fill + (size_t)i * unit_len, c->unit, unit_len);
    fill[fill_len] = '\0';

    if (c->unit != NULL) {
        const char *mark = strstr(c->payload, "%s");
        assert_non_null(mark);
        snprintf(payload, size, "%.*s%s%s", (int)(mark - c->payload), c->payload, fill, mark + 2);
    } else {
        snprintf(payload, size, "%s", c->payload);
    }
    snprintf(body, size + 64, "{\"action\":\"%s\",\"payload\":%s}", c->action, payload);
    free(fill);
    free(payload);
    return body;
}

static void field_rules_table(void **state)
{
    const char *id = json_string_value(json_object_get(json_object_get(hook, "webhook"), "id"));
    const char *secret = json_string_value(json_object_get(hook, "secret"));
    int failures = 0;
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = build_body(&cases[i]);
        struct reply reply;
        long status = fixture_invoke(&fx, ROOM, id, secret, body, &reply);
        int ok = status == cases[i].status;
        if (ok && cases[i].error != NULL)
            ok = strcmp(reply_error_text(&reply), cases[i].error) == 0;
        if (!ok) {
            print_error("case %zu (%s %.80s): expected %ld \"%s\", got %ld %.200s\n", i, cases[i].action,
                        cases[i].payload, cases[i].status, cases[i].error ? cases[i].error : "",
                        status, reply.body);
            failures++;
        }
        reply_free(&reply);
        free(body);
    }
    assert_int_equal(failures, 0);
}

static void missing_payload_is_invalid(void **state)
{
    const char *id = json_string_value(json_object_get(json_object_get(hook, "webhook"), "id"));
    const char *secret = json_string_value(json_object_get(hook, "secret"));
    struct reply reply;
    (void)state;

    assert_int_equal(fixture_invoke(&fx, ROOM, id, secret, "{\"action\":\"message\"}", &reply), 400);
    assert_string_equal(reply_error_text(&reply), "payload must be an object");
    reply_free(&reply);
    assert_int_equal(fixture_invoke(&fx, ROOM, id, secret, "{\"action\":\"message\",\"payload\":[]}", &reply), 400);
    assert_string_equal(reply_error_text(&reply), "payload must be an object");
    reply_free(&reply);
    assert_int_equal(fixture_invoke(&fx, ROOM, id, secret, "{\"payload\":{\"text\":\"x\"}}", &reply), 400);
    assert_string_equal(reply_error_text(&reply), "action must be one of message, embed, poll, image");
    reply_free(&reply);
    /* jansson rejects an escaped NUL, so such text never reaches storage. */
    assert_int_equal(fixture_invoke(&fx, ROOM, id, secret,
                                    "{\"action\":\"message\",\"payload\":{\"text\":\"a\\u0000b\"}}", NULL), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(field_rules_table),
        cmocka_unit_test(missing_payload_is_invalid),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
