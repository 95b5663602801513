/* test_retry.c: backoff growth and jitter, Retry-After parsing and the
 * retry decision per method. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "retry.h"

#include <curl/curl.h>

static const stayhooks_retry_policy policy = { 5, 200, 5000, 30000 };

static void test_backoff_doubles_then_caps(void **state)
{
    (void)state;
    /* With unit_random 0 the wait is half the exponential delay. */
    assert_int_equal(stayhooks__backoff_ms(&policy, 1, 0.0), 100);
    assert_int_equal(stayhooks__backoff_ms(&policy, 2, 0.0), 200);
    assert_int_equal(stayhooks__backoff_ms(&policy, 3, 0.0), 400);
    assert_int_equal(stayhooks__backoff_ms(&policy, 10, 0.0), 2500);
    assert_int_equal(stayhooks__backoff_ms(&policy, 1000, 0.0), 2500);
}

static void test_backoff_jitter_range(void **state)
{
    (void)state;
    assert_int_equal(stayhooks__backoff_ms(&policy, 1, 0.5), 150);
    assert_in_range(stayhooks__backoff_ms(&policy, 1, 0.999999), 199, 200);
    assert_in_range(stayhooks__backoff_ms(&policy, 10, 0.999999), 4999, 5000);
    /* Out-of-range random values fall back to the middle. */
    assert_int_equal(stayhooks__backoff_ms(&policy, 1, -1.0), 150);
    assert_int_equal(stayhooks__backoff_ms(&policy, 1, 7.0), 150);
}

static void test_backoff_never_zero(void **state)
{
    (void)state;
    const stayhooks_retry_policy tiny = { 3, 1, 1, 0 };
    assert_true(stayhooks__backoff_ms(&tiny, 1, 0.0) >= 1);
}

static void test_policy_defaults(void **state)
{
    (void)state;
    const stayhooks_retry_policy zero = { 0, 0, 0, 0 };
    stayhooks_retry_policy p = stayhooks__retry_policy_resolve(&zero, 30000);
    assert_int_equal(p.max_attempts, 3);
    assert_int_equal(p.base_delay_ms, 200);
    assert_int_equal(p.max_delay_ms, 5000);
    assert_int_equal(p.deadline_ms, 30000);

    p = stayhooks__retry_policy_resolve(NULL, 1000);
    assert_int_equal(p.max_attempts, 3);
    assert_int_equal(p.deadline_ms, 30000);
}

/* Setting max_attempts alone (as the CLI's --retries does) keeps the
 * default deadline instead of turning it off. */
static void test_policy_fields_independent(void **state)
{
    (void)state;
    const stayhooks_retry_policy attempts_only = { 1, 0, 0, 0 };
    stayhooks_retry_policy p = stayhooks__retry_policy_resolve(&attempts_only, 30000);
    assert_int_equal(p.max_attempts, 1);
    assert_int_equal(p.base_delay_ms, 200);
    assert_int_equal(p.max_delay_ms, 5000);
    assert_int_equal(p.deadline_ms, 30000);

    const stayhooks_retry_policy delays_only = { 0, 50, 100, 0 };
    p = stayhooks__retry_policy_resolve(&delays_only, 30000);
    assert_int_equal(p.max_attempts, 3);
    assert_int_equal(p.base_delay_ms, 50);
    assert_int_equal(p.max_delay_ms, 100);
    assert_int_equal(p.deadline_ms, 30000);

    const stayhooks_retry_policy deadline_only = { 0, 0, 0, 700 };
    p = stayhooks__retry_policy_resolve(&deadline_only, 30000);
    assert_int_equal(p.max_attempts, 3);
    assert_int_equal(p.deadline_ms, 700);
}

static void test_policy_negative_deadline_none(void **state)
{
    (void)state;
    const stayhooks_retry_policy none = { 2, 0, 0, -1 };
    stayhooks_retry_policy p = stayhooks__retry_policy_resolve(&none, 30000);
    assert_int_equal(p.max_attempts, 2);
    assert_int_equal(p.deadline_ms, 0);
}

/* The default deadline grows to a longer per-attempt timeout, but an
 * explicit deadline is kept as set. */
static void test_policy_deadline_covers_timeout(void **state)
{
    (void)state;
    const stayhooks_retry_policy zero = { 0, 0, 0, 0 };
    stayhooks_retry_policy p = stayhooks__retry_policy_resolve(&zero, 45000);
    assert_int_equal(p.deadline_ms, 45000);

    p = stayhooks__retry_policy_resolve(&zero, 3000);
    assert_int_equal(p.deadline_ms, 30000);

    const stayhooks_retry_policy explicit_deadline = { 0, 0, 0, 2000 };
    p = stayhooks__retry_policy_resolve(&explicit_deadline, 45000);
    assert_int_equal(p.deadline_ms, 2000);
}

static void test_retry_after_seconds(void **state)
{
    (void)state;
    assert_true(stayhooks__retry_after_parse("3", 0) == 3.0);
    assert_true(stayhooks__retry_after_parse(" 0 ", 0) == 0.0);
    assert_true(stayhooks__retry_after_parse("120", 0) == 120.0);
}

static void test_retry_after_fractional(void **state)
{
    (void)state;
    assert_true(stayhooks__retry_after_parse("1.5", 0) == 1.5);
    assert_true(stayhooks__retry_after_parse("0.25", 0) == 0.25);
}

static void test_retry_after_http_date(void **state)
{
    (void)state;
    time_t when = curl_getdate("Sun, 06 Nov 1994 08:49:37 GMT", NULL);
    assert_true(when != (time_t)-1);
    assert_true(stayhooks__retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", when - 10) == 10.0);
    /* A date in the past means "now", never a negative wait. */
    assert_true(stayhooks__retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", when + 10) == 0.0);
}

static void test_retry_after_garbage(void **state)
{
    (void)state;
    assert_true(stayhooks__retry_after_parse(NULL, 0) < 0.0);
    assert_true(stayhooks__retry_after_parse("", 0) < 0.0);
    assert_true(stayhooks__retry_after_parse("soon", 0) < 0.0);
    assert_true(stayhooks__retry_after_parse("-3", 0) < 0.0);
    assert_true(stayhooks__retry_after_parse("5x", 0) < 0.0);
    assert_true(stayhooks__retry_after_parse("0x10", 0) < 0.0);
    assert_true(stayhooks__retry_after_parse("1e3", 0) < 0.0);
    assert_true(stayhooks__retry_after_parse("inf", 0) < 0.0);
}

static void test_wait_uses_retry_after(void **state)
{
    (void)state;
    stayhooks__attempt_outcome o = { 0, 0, 0, 429, 1.5, 0 };
    assert_int_equal(stayhooks__retry_wait_ms(&policy, 1, &o, 0.0), 1500);
    o.retry_after = 0.0;
    assert_int_equal(stayhooks__retry_wait_ms(&policy, 1, &o, 0.0), 1);
    o.retry_after = -1.0; /* garbage header: backoff instead */
    assert_int_equal(stayhooks__retry_wait_ms(&policy, 2, &o, 0.0), 200);
}

static void test_retryable_connect_failure(void **state)
{
    (void)state;
    stayhooks__attempt_outcome o = { 1, 1, 0, 0, -1.0, 0 };
    assert_true(stayhooks__retryable("POST", &o));
    assert_true(stayhooks__retryable("GET", &o));
    assert_true(stayhooks__retryable("DELETE", &o));
}

static void test_retryable_certificate_failure(void **state)
{
    (void)state;
    stayhooks__attempt_outcome o = { 1, 1, 0, 0, -1.0, 1 };
    assert_false(stayhooks__retryable("POST", &o));
    assert_false(stayhooks__retryable("GET", &o));
    assert_false(stayhooks__retryable("DELETE", &o));
}

static void test_retryable_delivery_unknown(void **state)
{
    (void)state;
    stayhooks__attempt_outcome o = { 1, 0, 1, 0, -1.0, 0 };
    assert_false(stayhooks__retryable("POST", &o));
    assert_true(stayhooks__retryable("GET", &o));
    assert_true(stayhooks__retryable("PATCH", &o));
}

static void test_retryable_statuses(void **state)
{
    (void)state;
    stayhooks__attempt_outcome o = { 0, 0, 0, 0, -1.0, 0 };
    static const long idempotent_retried[] = { 429, 502, 503, 504 };
    for (size_t i = 0; i < 4; i++) {
        o.status = idempotent_retried[i];
        assert_true(stayhooks__retryable("GET", &o));
        assert_true(stayhooks__retryable("DELETE", &o));
    }

    o.status = 429;
    assert_true(stayhooks__retryable("POST", &o));
    o.status = 502;
    assert_false(stayhooks__retryable("POST", &o));
    o.status = 504;
    assert_false(stayhooks__retryable("POST", &o));
    o.status = 503;
    assert_false(stayhooks__retryable("POST", &o));
    o.retry_after = 2.0;
    assert_true(stayhooks__retryable("POST", &o));

    o.retry_after = -1.0;
    o.status = 500;
    assert_false(stayhooks__retryable("GET", &o));
    o.status = 404;
    assert_false(stayhooks__retryable("GET", &o));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_doubles_then_caps),
        cmocka_unit_test(test_backoff_jitter_range),
        cmocka_unit_test(test_backoff_never_zero),
        cmocka_unit_test(test_policy_defaults),
        cmocka_unit_test(test_policy_fields_independent),
        cmocka_unit_test(test_policy_negative_deadline_none),
        cmocka_unit_test(test_policy_deadline_covers_timeout),
        cmocka_unit_test(test_retry_after_seconds),
        cmocka_unit_test(test_retry_after_fractional),
        cmocka_unit_test(test_retry_after_http_date),
        cmocka_unit_test(test_retry_after_garbage),
        cmocka_unit_test(test_wait_uses_retry_after),
        cmocka_unit_test(test_retryable_connect_failure),
        cmocka_unit_test(test_retryable_certificate_failure),
        cmocka_unit_test(test_retryable_delivery_unknown),
        cmocka_unit_test(test_retryable_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
