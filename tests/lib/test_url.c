/* test_url.c: percent-encoding, API prefix normalisation and URL checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "url.h"

#include <stdlib.h>

static void check_encoded(const char *input, const char *expected)
{
    char *encoded = stayhooks__percent_encode(input);
    assert_non_null(encoded);
    assert_string_equal(encoded, expected);
    free(encoded);
}

static void test_encode_unreserved_kept(void **state)
{
    (void)state;
    check_encoded("AZaz09-._~", "AZaz09-._~");
}

static void test_encode_reserved_bytes(void **state)
{
    (void)state;
    check_encoded("a/b c?d#e%f", "a%2Fb%20c%3Fd%23e%25f");
    check_encoded("+&=:@", "%2B%26%3D%3A%40");
}

static void test_encode_utf8_byte_by_byte(void **state)
{
    (void)state;
    check_encoded("café", "caf%C3%A9");
    check_encoded("\xF0\x9F\x9A\x80", "%F0%9F%9A%80");
}

static void test_encode_empty(void **state)
{
    (void)state;
    check_encoded("", "");
}

static void check_prefix(const char *input, const char *expected)
{
    char *prefix = stayhooks__normalize_prefix(input);
    assert_non_null(prefix);
    assert_string_equal(prefix, expected);
    free(prefix);
}

static void test_prefix_forms(void **state)
{
    (void)state;
    check_prefix(NULL, "/api");
    check_prefix("api", "/api");
    check_prefix("/api", "/api");
    check_prefix("/api/", "/api");
    check_prefix(" api ", "/api");
    check_prefix(" api/ ", "/api");
    check_prefix("", "");
    check_prefix("/", "");
    check_prefix("v2/api", "/v2/api");
}

static void test_http_url_check(void **state)
{
    (void)state;
    assert_true(stayhooks__is_http_url("http://a"));
    assert_true(stayhooks__is_http_url("https://example.test/x"));
    assert_true(stayhooks__is_http_url("HTTPS://example.test"));
    assert_false(stayhooks__is_http_url("httpfoo"));
    assert_false(stayhooks__is_http_url("ftp://example.test"));
    assert_false(stayhooks__is_http_url("http://"));
    assert_false(stayhooks__is_http_url("http:///path"));
    assert_false(stayhooks__is_http_url("localhost:3000"));
    assert_false(stayhooks__is_http_url(""));
}

static void test_base_url_trailing_slashes(void **state)
{
    (void)state;
    char *base = stayhooks__normalize_base_url(" http://h:1/// ");
    assert_non_null(base);
    assert_string_equal(base, "http://h:1");
    free(base);
}

static void test_webhooks_url_parts(void **state)
{
    (void)state;
    char *url = stayhooks__webhooks_url("http://h", "/api", "r/1", "w 1", "/invoke");
    assert_non_null(url);
    assert_string_equal(url, "http://h/api/webhooks/r%2F1/w%201/invoke");
    free(url);

    url = stayhooks__webhooks_url("http://h", "", "r", NULL, "/meta/permitted-actions");
    assert_non_null(url);
    assert_string_equal(url, "http://h/webhooks/r/meta/permitted-actions");
    free(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_unreserved_kept),
        cmocka_unit_test(test_encode_reserved_bytes),
        cmocka_unit_test(test_encode_utf8_byte_by_byte),
        cmocka_unit_test(test_encode_empty),
        cmocka_unit_test(test_prefix_forms),
        cmocka_unit_test(test_http_url_check),
        cmocka_unit_test(test_base_url_trailing_slashes),
        cmocka_unit_test(test_webhooks_url_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
