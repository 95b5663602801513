/* test_url.c: percent-encoding, API prefix normalisation and URL checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "url.h"

#include <stdlib.h>
#include <string.h>

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

static void test_endpoint_url_accepted(void **state)
{
    (void)state;
    static const char *const urls[] = {
        "http://localhost:3000", "https://h", "HTTPS://H:443/base/", "http://127.0.0.1:1",
        "http://h:65535/a/b", "http://[::1]:8080/api", "http://h/caf\xC3\xA9",
        "http://h/api/webhooks/R/../invoke", "http://h:/x",
    };
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        stayhooks_error *err = NULL;
        if (stayhooks__check_endpoint_url(urls[i], "base URL", urls[i], &err) != STAYHOOKS_OK)
            fail_msg("\"%s\" rejected: %s", urls[i], stayhooks_error_message(err));
    }
}

static void test_endpoint_url_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        const char *message;
    } cases[] = {
        { "http://127.0.0.1:9 /x", "base URL \"http://127.0.0.1:9 /x\" is invalid: " },
        { "http://127.0.0.1:99999", "base URL \"http://127.0.0.1:99999\" is invalid: Port" },
        { "http://h:0", "base URL \"http://h:0\" has port 0; use a port from 1 to 65535" },
        { "http://h:9?x=1", "base URL \"http://h:9?...\" must not have a query" },
        { "http://h/?", "must not have a query" },
        { "http://h/#", "base URL \"http://h/#...\" must not have a fragment" },
        { "http://h/a#b?c", "must not have a fragment" },
        { "#fragment", "base URL \"#...\" must start with http:// or https://" },
        { "ftp://h", "must start with http:// or https://" },
        { "localhost:3000", "must start with http:// or https://" },
        { "", "must start with http:// or https://" },
        { "http://", "base URL \"http://\" has no host" },
        { "http:///x", "has no host" },
        { "http://a b/", "is invalid: " },
        { "http://h/x y", "is invalid: " },
        { "http://h/x\ty", "is invalid: " },
        { "http://user:pw@h/", "base URL must not contain a user name or password" },
        { "http://user@h:1?q", "base URL must not contain a user name or password" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        stayhooks_error *err = NULL;
        int rc = stayhooks__check_endpoint_url(cases[i].url, "base URL", cases[i].url, &err);
        if (rc != STAYHOOKS_ERR_VALIDATION)
            fail_msg("\"%s\" gave code %d, expected a validation error", cases[i].url, rc);
        const char *message = stayhooks_error_message(err);
        if (strstr(message, cases[i].message) == NULL)
            fail_msg("\"%s\": message \"%s\" lacks \"%s\"", cases[i].url, message,
                     cases[i].message);
        stayhooks_error_free(err);
    }
}

static void test_endpoint_url_hides_password(void **state)
{
    (void)state;
    stayhooks_error *err = NULL;
    const char *url = "http://user:pw-secret@h:1/x?q";
    assert_int_equal(stayhooks__check_endpoint_url(url, "invoke URL", url, &err),
                     STAYHOOKS_ERR_VALIDATION);
    assert_null(strstr(stayhooks_error_message(err), "pw-secret"));
    stayhooks_error_free(err);
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
        cmocka_unit_test(test_endpoint_url_accepted),
        cmocka_unit_test(test_endpoint_url_rejected),
        cmocka_unit_test(test_endpoint_url_hides_password),
        cmocka_unit_test(test_base_url_trailing_slashes),
        cmocka_unit_test(test_webhooks_url_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
