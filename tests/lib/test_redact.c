/* test_redact.c: header and free-text redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "redact.h"

#include <stdlib.h>

static void check_redacted(const char *text, const char *const *secrets, size_t count,
                           const char *expected)
{
    char *out = stayhooks__redact_text(text, secrets, count);
    assert_non_null(out);
    assert_string_equal(out, expected);
    free(out);
}

static void test_header_values(void **state)
{
    (void)state;
    assert_string_equal(stayhooks__redact_header("Authorization", "Bearer tok"),
                        "Bearer <redacted>");
    assert_string_equal(stayhooks__redact_header("authorization", "Bearer tok"),
                        "Bearer <redacted>");
    assert_string_equal(stayhooks__redact_header("X-Stay-Webhook-Secret", "whk_1"),
                        "<redacted>");
    assert_string_equal(stayhooks__redact_header("Accept", "application/json"),
                        "application/json");
}

static void test_text_every_occurrence(void **state)
{
    (void)state;
    const char *secrets[] = { "whk_abc" };
    check_redacted("a whk_abc b whk_abc", secrets, 1, "a <redacted> b <redacted>");
    check_redacted("whk_abcwhk_abc", secrets, 1, "<redacted><redacted>");
}

static void test_text_several_secrets(void **state)
{
    (void)state;
    const char *secrets[] = { "tok-1", NULL, "", "whk_9" };
    check_redacted("Bearer tok-1 and whk_9", secrets, 4, "Bearer <redacted> and <redacted>");
}

static void test_text_longer_secret_wins(void **state)
{
    (void)state;
    const char *secrets[] = { "abc", "abcdef" };
    check_redacted("xabcdefx", secrets, 2, "x<redacted>x");
}

static void test_text_without_secrets(void **state)
{
    (void)state;
    check_redacted("plain", NULL, 0, "plain");
    const char *secrets[] = { "zzz" };
    check_redacted("", secrets, 1, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_values),
        cmocka_unit_test(test_text_every_occurrence),
        cmocka_unit_test(test_text_several_secrets),
        cmocka_unit_test(test_text_longer_secret_wins),
        cmocka_unit_test(test_text_without_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
