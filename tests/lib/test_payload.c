/* test_payload.c: trimming, notes, poll and permission rules, and UTF-8
 * checks of the payload builders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "payload.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* Asserts that `rc` is a validation error and frees `*errp`. The error is
 * passed by address because it is only set once the call has run, and C
 * leaves the order of argument evaluation open. */
static void assert_validation(int rc, stayhooks_error **errp)
{
    stayhooks_error *err = *errp;
    *errp = NULL;
    assert_int_equal(rc, STAYHOOKS_ERR_VALIDATION);
    assert_non_null(err);
    assert_int_equal(stayhooks_error_code(err), STAYHOOKS_ERR_VALIDATION);
    assert_int_equal(stayhooks_error_attempts(err), 0);
    stayhooks_error_free(err);
}

/* Asserts that `payload` equals the JSON text `expected`, then frees it. */
static void assert_json(json_t *payload, const char *expected)
{
    json_t *want = json_loads(expected, 0, NULL);
    assert_non_null(want);
    assert_non_null(payload);
    if (!json_equal(payload, want)) {
        char *got = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
        print_error("got %s\nwant %s\n", got, expected);
        free(got);
        fail();
    }
    json_decref(want);
    json_decref(payload);
}

static void test_trim_ascii_space(void **state)
{
    (void)state;
    char *t = stayhooks__trim(" \t\r\n\f\vx y \n");
    assert_string_equal(t, "x y");
    free(t);
    t = stayhooks__trim("   ");
    assert_string_equal(t, "");
    free(t);
}

static void test_utf8_emoji_valid(void **state)
{
    (void)state;
    assert_true(stayhooks__utf8_valid("Deployment started \xF0\x9F\x9A\x80"));
    assert_true(stayhooks__utf8_valid("caf\xC3\xA9"));
    assert_true(stayhooks__utf8_valid(""));
}

static void test_utf8_invalid_rejected(void **state)
{
    (void)state;
    assert_false(stayhooks__utf8_valid("\xC3"));             /* cut off */
    assert_false(stayhooks__utf8_valid("\xC0\xAF"));         /* overlong "/" */
    assert_false(stayhooks__utf8_valid("\xED\xA0\x80"));     /* surrogate */
    assert_false(stayhooks__utf8_valid("\xF4\x90\x80\x80")); /* above U+10FFFF */
    assert_false(stayhooks__utf8_valid("\xFF"));
    assert_false(stayhooks__utf8_valid("a\x80z")); /* lone continuation byte */
}

static void test_message_keeps_emoji(void **state)
{
    (void)state;
    stayhooks_message m = { " hi \xF0\x9F\x9A\x80 ", NULL, NULL };
    json_t *payload = NULL;
    assert_int_equal(stayhooks__build_message(&m, "Bot", &payload, NULL), STAYHOOKS_OK);
    assert_json(payload, "{\"text\":\"hi \xF0\x9F\x9A\x80\",\"alias\":\"Bot\"}");
}

static void test_message_invalid_utf8(void **state)
{
    (void)state;
    stayhooks_message m = { "bad \xC3(", NULL, NULL };
    stayhooks_error *err = NULL;
    json_t *payload = NULL;
    assert_validation(stayhooks__build_message(&m, NULL, &payload, &err), &err);
    assert_null(payload);

    stayhooks_message alias = { "ok", "\xFF", NULL };
    err = NULL;
    assert_validation(stayhooks__build_message(&alias, NULL, &payload, &err), &err);
}

static void test_message_blank_rejected(void **state)
{
    (void)state;
    stayhooks_message m = { " \t\n ", NULL, NULL };
    stayhooks_error *err = NULL;
    json_t *payload = NULL;
    assert_validation(stayhooks__build_message(&m, NULL, &payload, &err), &err);
}

static void test_message_extra_must_be_object(void **state)
{
    (void)state;
    stayhooks_message m = { "x", NULL, "[1]" };
    stayhooks_error *err = NULL;
    json_t *payload = NULL;
    assert_validation(stayhooks__build_message(&m, NULL, &payload, &err), &err);

    stayhooks_message broken = { "x", NULL, "{" };
    err = NULL;
    assert_validation(stayhooks__build_message(&broken, NULL, &payload, &err), &err);
}

/* jansson's text for an escaped NUL names its JSON_ALLOW_NUL flag, which
 * means nothing to a caller, so the message names the problem instead. */
static void test_message_extra_escaped_nul(void **state)
{
    (void)state;
    stayhooks_message m = { "x", NULL, "{\"a\":\"b\\u0000c\"}" };
    stayhooks_error *err = NULL;
    json_t *payload = NULL;

    assert_int_equal(stayhooks__build_message(&m, NULL, &payload, &err),
                     STAYHOOKS_ERR_VALIDATION);
    assert_non_null(strstr(stayhooks_error_message(err), "must not contain \\u0000"));
    assert_null(strstr(stayhooks_error_message(err), "JSON_ALLOW_NUL"));
    stayhooks_error_free(err);
}

static void test_notes_bullets(void **state)
{
    (void)state;
    const char *notes[] = { " a ", "", "  ", "b" };
    char *text = NULL;
    assert_int_equal(stayhooks__build_notes(notes, 4, &text, NULL), STAYHOOKS_OK);
    assert_string_equal(text, "\xE2\x80\xA2 a\n\xE2\x80\xA2 b");
    free(text);
}

static void test_notes_all_blank(void **state)
{
    (void)state;
    const char *notes[] = { " ", "" };
    char *text = (char *)"unchanged";
    assert_int_equal(stayhooks__build_notes(notes, 2, &text, NULL), STAYHOOKS_OK);
    assert_null(text);
}

static void test_embed_description_with_notes(void **state)
{
    (void)state;
    const char *notes[] = { "n1" };
    stayhooks_embed e = { 0 };
    e.description = "  D  ";
    e.notes = notes;
    e.note_count = 1;
    json_t *payload = NULL;
    assert_int_equal(stayhooks__build_embed(&e, NULL, &payload, NULL), STAYHOOKS_OK);
    assert_json(payload, "{\"embed\":{\"description\":\"D\\n\\n\xE2\x80\xA2 n1\"}}");
}

static void test_embed_empty_rejected(void **state)
{
    (void)state;
    stayhooks_embed e = { 0 };
    e.title = "";
    e.text = "only text";
    stayhooks_error *err = NULL;
    json_t *payload = NULL;
    assert_validation(stayhooks__build_embed(&e, "Bot", &payload, &err), &err);
}

static void test_embed_extra_counts_as_field(void **state)
{
    (void)state;
    stayhooks_embed e = { 0 };
    e.extra_embed_json = "{\"timestamp\":\"t\"}";
    json_t *payload = NULL;
    assert_int_equal(stayhooks__build_embed(&e, NULL, &payload, NULL), STAYHOOKS_OK);
    assert_json(payload, "{\"embed\":{\"timestamp\":\"t\"}}");
}

static void check_poll_rejected(const char *question, const char *const *options, size_t count)
{
    stayhooks_poll p = { question, options, count, 0, 0 };
    stayhooks_error *err = NULL;
    json_t *payload = NULL;
    assert_validation(stayhooks__build_poll(&p, &payload, &err), &err);
    assert_null(payload);
}

static void test_poll_option_bounds(void **state)
{
    (void)state;
    const char *one[] = { "A", " " };
    const char *nine[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9" };
    const char *eight_and_blank[] = { "1", "2", "3", "4", "5", "6", "7", "8", "" };
    const char *two[] = { "A", "B" };

    check_poll_rejected("Q", one, 2);
    check_poll_rejected("Q", nine, 9);
    check_poll_rejected("Q", two, 0);
    check_poll_rejected("  ", two, 2);

    stayhooks_poll p = { "Q", eight_and_blank, 9, 1, 0 };
    json_t *payload = NULL;
    assert_int_equal(stayhooks__build_poll(&p, &payload, NULL), STAYHOOKS_OK);
    assert_int_equal(json_array_size(json_object_get(payload, "options")), 8);
    assert_true(json_is_true(json_object_get(payload, "multipleChoice")));
    assert_null(json_object_get(payload, "endsInMinutes"));
    json_decref(payload);
}

static void test_poll_timer_only_positive(void **state)
{
    (void)state;
    const char *two[] = { "A", "B" };
    stayhooks_poll p = { "Q", two, 2, 0, -5 };
    json_t *payload = NULL;
    assert_int_equal(stayhooks__build_poll(&p, &payload, NULL), STAYHOOKS_OK);
    assert_json(payload, "{\"question\":\"Q\",\"options\":[\"A\",\"B\"],\"multipleChoice\":false}");

    p.ends_in_minutes = 15;
    assert_int_equal(stayhooks__build_poll(&p, &payload, NULL), STAYHOOKS_OK);
    assert_json(payload, "{\"question\":\"Q\",\"options\":[\"A\",\"B\"],\"multipleChoice\":false,"
                         "\"endsInMinutes\":15}");
}

static void test_permissions_normalised(void **state)
{
    (void)state;
    const char *names[] = { " Poll", "IMAGE ", "poll", "image" };
    json_t *array = NULL;
    assert_int_equal(stayhooks__build_permissions(names, 4, &array, NULL), STAYHOOKS_OK);
    assert_json(array, "[\"poll\",\"image\"]");
}

static void test_permissions_default_set(void **state)
{
    (void)state;
    json_t *array = NULL;
    assert_int_equal(stayhooks__build_permissions(NULL, 0, &array, NULL), STAYHOOKS_OK);
    assert_json(array, "[\"message\",\"embed\",\"poll\",\"image\"]");
}

static void test_permissions_rejected(void **state)
{
    (void)state;
    const char *names[] = { "message" };
    const char *unknown[] = { "message", "admin" };
    const char *blank[] = { " " };
    json_t *array = NULL;
    stayhooks_error *err = NULL;

    assert_validation(stayhooks__build_permissions(names, 0, &array, &err), &err);
    err = NULL;
    assert_validation(stayhooks__build_permissions(unknown, 2, &array, &err), &err);
    err = NULL;
    assert_validation(stayhooks__build_permissions(blank, 1, &array, &err), &err);
    assert_null(array);
}

static void test_image_url_rules(void **state)
{
    (void)state;
    stayhooks_image img = { 0 };
    stayhooks_error *err = NULL;
    json_t *payload = NULL;

    img.url = "javascript:alert(1)";
    assert_validation(stayhooks__build_image(&img, &payload, &err), &err);

    img.url = " https://h/a.png ";
    img.has_position = 1;
    img.x = 0;
    img.y = 7;
    assert_int_equal(stayhooks__build_image(&img, &payload, NULL), STAYHOOKS_OK);
    assert_json(payload, "{\"url\":\"https://h/a.png\",\"x\":0,\"y\":7}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trim_ascii_space),
        cmocka_unit_test(test_utf8_emoji_valid),
        cmocka_unit_test(test_utf8_invalid_rejected),
        cmocka_unit_test(test_message_keeps_emoji),
        cmocka_unit_test(test_message_invalid_utf8),
        cmocka_unit_test(test_message_blank_rejected),
        cmocka_unit_test(test_message_extra_must_be_object),
        cmocka_unit_test(test_message_extra_escaped_nul),
        cmocka_unit_test(test_notes_bullets),
        cmocka_unit_test(test_notes_all_blank),
        cmocka_unit_test(test_embed_description_with_notes),
        cmocka_unit_test(test_embed_empty_rejected),
        cmocka_unit_test(test_embed_extra_counts_as_field),
        cmocka_unit_test(test_poll_option_bounds),
        cmocka_unit_test(test_poll_timer_only_positive),
        cmocka_unit_test(test_permissions_normalised),
        cmocka_unit_test(test_permissions_default_set),
        cmocka_unit_test(test_permissions_rejected),
        cmocka_unit_test(test_image_url_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
