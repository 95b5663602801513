/*
 * test_fault.c: reliability tests of libstayhooks against fault_server.
 *
 * Each test starts one or two fault servers on 127.0.0.1 and makes one
 * library call with a short per-attempt timeout and a retry policy chosen
 * for the case. It then checks the outcome (error class or success), the
 * attempts the server counted, that an invoke was not delivered twice, and
 * that the call returned within its deadline plus MARGIN_MS.
 *
 * Run all tests with no argument, or one test by passing its name.
 */
#define _GNU_SOURCE

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fault_harness.h"
#include "stayhooks.h"

#define PER_ATTEMPT_MS 1000L
#define DEADLINE_MS 5000L
/* Slack for process start-up and scheduling on a loaded two-core machine. */
#define MARGIN_MS 750L
#define FAULT_SECRET "whk_fault_test_secret"
#define FAULT_TOKEN "fault-test-token"

struct outcome {
    int rc;
    stayhooks_error *err;
    stayhooks_invoke_result *result;
    stayhooks_webhook_list *list;
    long elapsed_ms;
};

static const char *const proxy_variables[] = {
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
    "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY",
};

/* Clears every proxy variable that libcurl reads, so that no request of
 * these tests can leave 127.0.0.1 through a proxy set in the environment. */
static void clear_proxy_environment(void)
{
    size_t i;

    for (i = 0; i < sizeof proxy_variables / sizeof proxy_variables[0]; i++)
        unsetenv(proxy_variables[i]);
}

static void init_options(stayhooks_options *opts, char *base_url, size_t size,
                         const char *scheme, int port)
{
    stayhooks_options_init(opts);
    snprintf(base_url, size, "%s://127.0.0.1:%d", scheme, port);
    opts->base_url = base_url;
    opts->token = FAULT_TOKEN;
    opts->connect_timeout_ms = PER_ATTEMPT_MS;
    opts->timeout_ms = PER_ATTEMPT_MS;
    opts->retry.max_attempts = 3;
    opts->retry.base_delay_ms = 50;
    opts->retry.max_delay_ms = 200;
    opts->retry.deadline_ms = DEADLINE_MS;
}

/* Prints the error behind an unexpected outcome before the asserts fire. */
static void print_outcome(const char *call, const struct outcome *out)
{
    if (out->err == NULL) {
        print_message("%s: rc=%d, no error, %ld ms\n", call, out->rc, out->elapsed_ms);
        return;
    }
    print_message("%s: rc=%d (%s) status=%ld attempts=%d delivery_unknown=%d "
                  "retry_after=%.3f %ld ms: %s\n",
                  call, out->rc, stayhooks_code_name(stayhooks_error_code(out->err)),
                  stayhooks_error_status(out->err), stayhooks_error_attempts(out->err),
                  stayhooks_error_delivery_unknown(out->err),
                  stayhooks_error_retry_after(out->err), out->elapsed_ms,
                  stayhooks_error_message(out->err));
}

static void send_test_message(const stayhooks_options *opts, struct outcome *out)
{
    stayhooks_target target = { "R1", "W1", NULL, FAULT_SECRET };
    stayhooks_message message = { "fault test", NULL, NULL };
    stayhooks_client *client = NULL;
    struct timespec start;

    memset(out, 0, sizeof *out);
    assert_int_equal(stayhooks_client_new(opts, &client, NULL), STAYHOOKS_OK);

    clock_gettime(CLOCK_MONOTONIC, &start);
    out->rc = stayhooks_send_message(client, &target, &message, &out->result, &out->err);
    out->elapsed_ms = fault_elapsed_ms(&start);

    stayhooks_client_free(client);
    print_outcome("send_message", out);
}

static void list_test_webhooks(const stayhooks_options *opts, struct outcome *out)
{
    stayhooks_client *client = NULL;
    struct timespec start;

    memset(out, 0, sizeof *out);
    assert_int_equal(stayhooks_client_new(opts, &client, NULL), STAYHOOKS_OK);

    clock_gettime(CLOCK_MONOTONIC, &start);
    out->rc = stayhooks_list_webhooks(client, "R1", &out->list, &out->err);
    out->elapsed_ms = fault_elapsed_ms(&start);

    stayhooks_client_free(client);
    print_outcome("list_webhooks", out);
}

static void outcome_free(struct outcome *out)
{
    stayhooks_error_free(out->err);
    stayhooks_invoke_result_free(out->result);
    stayhooks_webhook_list_free(out->list);
    memset(out, 0, sizeof *out);
}

static void assert_failed_with(const struct outcome *out, stayhooks_code code)
{
    assert_int_equal(out->rc, code);
    assert_non_null(out->err);
    assert_int_equal(stayhooks_error_code(out->err), code);
    assert_null(out->result);
    assert_null(out->list);
}

static void assert_invoke_succeeded(const struct outcome *out)
{
    assert_int_equal(out->rc, STAYHOOKS_OK);
    assert_null(out->err);
    assert_non_null(out->result);
    assert_int_equal(out->result->ok, 1);
    assert_string_equal(out->result->kind, "message");
    assert_string_equal(out->result->message_id, "m1");
}

static void assert_list_succeeded(const struct outcome *out)
{
    assert_int_equal(out->rc, STAYHOOKS_OK);
    assert_null(out->err);
    assert_non_null(out->list);
    assert_string_equal(out->list->room_id, "R1");
    assert_int_equal(out->list->limit, 10);
    assert_int_equal(out->list->count, 0);
}

static void assert_within_deadline(const struct outcome *out, const stayhooks_options *opts)
{
    assert_in_range(out->elapsed_ms, 0, opts->retry.deadline_ms + MARGIN_MS);
}

static struct fault_server *start_server(const char *mode, int tls, const char *const *options)
{
    struct fault_server *server = fault_server_start(mode, tls, options);

    assert_non_null(server);
    return server;
}

static void read_stats(const struct fault_server *server, struct fault_stats *stats)
{
    assert_int_equal(fault_stats_read(server, stats), 0);
}

/* Returns the milliseconds between the server's receipt of request
 * `later - 1` and request `later`, which is the client's wait between
 * those attempts. */
static long gap_before(const struct fault_stats *stats, int later)
{
    assert_true(later >= 1 && later < stats->request_count);
    return stats->at_ms[later] - stats->at_ms[later - 1];
}

/* ---------------------------------------------------------------------- */
/* Connection failures                                                     */
/* ---------------------------------------------------------------------- */

/* Nothing listens, so no request reached a server and every call retries. */
static void test_refused_invoke_retried(void **state)
{
    char base_url[64];
    stayhooks_options opts;
    struct outcome out;
    int port = fault_closed_port();

    (void)state;
    assert_true(port > 0);
    init_options(&opts, base_url, sizeof base_url, "http", port);
    send_test_message(&opts, &out);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_attempts(out.err), 3);
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 0);
    assert_int_equal(stayhooks_error_status(out.err), 0);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void test_refused_list_retried(void **state)
{
    char base_url[64];
    stayhooks_options opts;
    struct outcome out;
    int port = fault_closed_port();

    (void)state;
    assert_true(port > 0);
    init_options(&opts, base_url, sizeof base_url, "http", port);
    list_test_webhooks(&opts, &out);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_attempts(out.err), 3);
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 0);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* The server closes each connection before reading. The client may or may
 * not have finished sending, but the server read no request. */
static void test_accept_close_invoke(void **state)
{
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct outcome out;
    struct fault_server *server = start_server("accept-close", 0, NULL);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stats.requests, 0);
    assert_int_equal(stats.invoke_bodies, 0);
    assert_in_range(stayhooks_error_attempts(out.err), 1, 3);
    assert_int_equal(stats.connections, stayhooks_error_attempts(out.err));
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* ---------------------------------------------------------------------- */
/* Broken replies after the whole request was sent: delivery unknown       */
/* ---------------------------------------------------------------------- */

static void check_invoke_delivery_unknown(const char *mode, const char *const *options)
{
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct outcome out;
    struct fault_server *server = start_server(mode, 0, options);

    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 1);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.requests, 1);
    assert_int_equal(stats.invoke_bodies, 1);
    assert_non_null(strstr(stats.first_body, "\"text\":\"fault test\""));
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void test_mid_headers_invoke_not_retried(void **state)
{
    (void)state;
    check_invoke_delivery_unknown("close-mid-headers", NULL);
}

static void test_mid_body_invoke_not_retried(void **state)
{
    (void)state;
    check_invoke_delivery_unknown("close-mid-body", NULL);
}

static void test_short_body_invoke_not_retried(void **state)
{
    (void)state;
    check_invoke_delivery_unknown("short-body", NULL);
}

static void test_read_drop_invoke_not_retried(void **state)
{
    (void)state;
    check_invoke_delivery_unknown("read-drop", NULL);
}

/*
 * The client keeps the connection of a successful invoke. The server reads
 * the next invoke on that connection and closes it without a reply. libcurl
 * resends a request on a fresh connection when a reused one dies before any
 * reply byte arrives, which would deliver this invoke twice. Either fix is
 * correct: the second invoke goes out on a fresh connection and succeeds,
 * or it fails with delivery unknown. Either way the server gets 2 bodies.
 */
static void test_keepalive_drop_invoke_not_resent(void **state)
{
    stayhooks_target target = { "R1", "W1", NULL, FAULT_SECRET };
    stayhooks_message message = { "fault test", NULL, NULL };
    stayhooks_invoke_result *first = NULL;
    stayhooks_client *client = NULL;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct outcome out;
    struct timespec start;
    struct fault_server *server = start_server("keepalive-drop", 0, NULL);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    assert_int_equal(stayhooks_client_new(&opts, &client, NULL), STAYHOOKS_OK);
    assert_int_equal(stayhooks_send_message(client, &target, &message, &first, NULL),
                     STAYHOOKS_OK);
    stayhooks_invoke_result_free(first);

    memset(&out, 0, sizeof out);
    clock_gettime(CLOCK_MONOTONIC, &start);
    out.rc = stayhooks_send_message(client, &target, &message, &out.result, &out.err);
    out.elapsed_ms = fault_elapsed_ms(&start);
    stayhooks_client_free(client);
    print_outcome("second send_message", &out);
    read_stats(server, &stats);

    assert_int_equal(stats.invoke_bodies, 2);
    assert_int_equal(stats.requests, 2);
    if (out.rc == STAYHOOKS_OK) {
        assert_invoke_succeeded(&out);
        assert_int_equal(stats.connections, 2);
    } else {
        assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
        assert_int_equal(stayhooks_error_delivery_unknown(out.err), 1);
        assert_int_equal(stayhooks_error_attempts(out.err), 1);
        assert_int_equal(stats.connections, 1);
    }
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* A stalled invoke times out after one attempt's timeout and is not
 * retried, although the deadline would leave room for more attempts. */
static void test_stall_invoke_delivery_unknown(void **state)
{
    static const char *const options[] = { "--stall-ms", "4000", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("stall", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 1);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.requests, 1);
    assert_int_equal(stats.invoke_bodies, 1);
    assert_in_range(out.elapsed_ms, PER_ATTEMPT_MS - 100, PER_ATTEMPT_MS + MARGIN_MS);
    outcome_free(&out);
}

/* The reply body arrives one byte every 100 ms, so the connection is never
 * idle. The per-attempt timeout still ends the transfer after 1 s. */
static void test_trickle_invoke_times_out(void **state)
{
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("trickle", 0, NULL);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 1);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.requests, 1);
    assert_in_range(out.elapsed_ms, PER_ATTEMPT_MS - 100, PER_ATTEMPT_MS + MARGIN_MS);
    outcome_free(&out);
}

/* A GET is safe to repeat, so it is retried after a timeout, but the whole
 * call still ends by the deadline. */
static void test_stall_list_capped_by_deadline(void **state)
{
    static const char *const options[] = { "--stall-ms", "8000", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("stall", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    opts.retry.deadline_ms = 2500;
    list_test_webhooks(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 1);
    assert_in_range(stayhooks_error_attempts(out.err), 2, 3);
    assert_int_equal(stats.requests, stayhooks_error_attempts(out.err));
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* The reply to the first GET is lost, and the retry gets the list. */
static void test_read_drop_list_retried(void **state)
{
    static const char *const options[] = { "--count", "1", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("read-drop", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    list_test_webhooks(&opts, &out);
    read_stats(server, &stats);

    assert_list_succeeded(&out);
    assert_int_equal(stats.requests, 2);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* ---------------------------------------------------------------------- */
/* Deadline                                                                */
/* ---------------------------------------------------------------------- */

/* Connect failures could be retried 50 times, but no wait may end past the
 * deadline, so the call stops after a few attempts. */
static void test_refused_stops_at_deadline(void **state)
{
    char base_url[64];
    stayhooks_options opts;
    struct outcome out;
    int port = fault_closed_port();

    (void)state;
    assert_true(port > 0);
    init_options(&opts, base_url, sizeof base_url, "http", port);
    opts.retry.max_attempts = 50;
    opts.retry.base_delay_ms = 200;
    opts.retry.max_delay_ms = 400;
    opts.retry.deadline_ms = 1500;
    send_test_message(&opts, &out);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_in_range(stayhooks_error_attempts(out.err), 3, 49);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* An attempt's timeout shrinks to the time left before the deadline. */
static void test_stall_attempt_capped_by_deadline(void **state)
{
    static const char *const options[] = { "--stall-ms", "4000", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_server *server = start_server("stall", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    opts.retry.deadline_ms = 500;
    send_test_message(&opts, &out);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 1);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_in_range(out.elapsed_ms, 400, 500 + MARGIN_MS);
    outcome_free(&out);
}

/* With Retry-After: 1 and a 1.5 s deadline, the first wait fits and the
 * second does not, so the second 429 is returned at once. */
static void test_rate_limit_wait_fits_once(void **state)
{
    static const char *const options[] = { "--status", "429", "--retry-after", "1", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    opts.retry.max_attempts = 10;
    opts.retry.deadline_ms = 1500;
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(out.err), 429);
    assert_true(fabs(stayhooks_error_retry_after(out.err) - 1.0) < 0.001);
    assert_int_equal(stayhooks_error_attempts(out.err), 2);
    assert_int_equal(stats.requests, 2);
    assert_in_range(out.elapsed_ms, 950, 1500);
    outcome_free(&out);
}
/* ---------------------------------------------------------------------- */
/* Reply bodies: size cap, chunked, invalid JSON                           */
/* ---------------------------------------------------------------------- */

/* A reply over the cap fails as an invalid response naming the option, even
 * though it is a valid invoke reply, and the invoke is not sent again. */
static void check_over_cap(const char *mode, const char *body_bytes, size_t cap)
{
    const char *const options[] = { "--body-bytes", body_bytes, NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server(mode, 0, options);

    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    opts.max_response_bytes = cap;
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_INVALID_RESPONSE);
    assert_int_equal(stayhooks_error_status(out.err), 200);
    assert_non_null(strstr(stayhooks_error_message(out.err), "max_response_bytes"));
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 0);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.requests, 1);
    assert_int_equal(stats.invoke_bodies, 1);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void test_big_body_over_cap(void **state)
{
    (void)state;
    check_over_cap("big-body", "65536", 4096);
}

static void test_big_chunked_over_cap(void **state)
{
    (void)state;
    check_over_cap("big-chunked", "65536", 4096);
}

/* A cap of 0 means the default of 1 MiB, and the reply is 2 MiB. */
static void test_default_cap_one_mib(void **state)
{
    (void)state;
    check_over_cap("big-body", "2097152", 0);
}

static void test_body_under_cap_succeeds(void **state)
{
    static const char *const options[] = { "--body-bytes", "4000", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_server *server = start_server("big-body", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    opts.max_response_bytes = 4096;
    send_test_message(&opts, &out);

    assert_invoke_succeeded(&out);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void test_chunked_reply_succeeds(void **state)
{
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("chunked", 0, NULL);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_invoke_succeeded(&out);
    assert_int_equal(stats.requests, 1);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void test_bad_json_invalid_response(void **state)
{
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("bad-json", 0, NULL);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_INVALID_RESPONSE);
    assert_int_equal(stayhooks_error_status(out.err), 200);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.requests, 1);
    assert_int_equal(stats.invoke_bodies, 1);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* Fails the test when `text` contains `hidden`, naming the field. */
static void assert_hidden(const char *field, const char *text, const char *hidden)
{
    if (text != NULL && strstr(text, hidden) != NULL)
        fail_msg("%s shows a credential: %s", field, text);
}

/* A 2xx body that is not JSON but echoes the secret or the token becomes
 * the error's body and message, with the credential redacted as in every
 * other error. */
static void check_bad_json_redacted(int invoke)
{
    const char *const options[] = {
        "--body", invoke ? "echo " FAULT_SECRET " done" : "echo " FAULT_TOKEN " done", NULL
    };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_server *server = start_server("bad-json", 0, options);

    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    if (invoke)
        send_test_message(&opts, &out);
    else
        list_test_webhooks(&opts, &out);

    assert_failed_with(&out, STAYHOOKS_ERR_INVALID_RESPONSE);
    assert_non_null(stayhooks_error_body(out.err));
    assert_string_equal(stayhooks_error_body(out.err), "echo <redacted> done");
    assert_hidden("message", stayhooks_error_message(out.err), invoke ? FAULT_SECRET : FAULT_TOKEN);
    outcome_free(&out);
}

static void test_bad_json_secret_redacted(void **state)
{
    (void)state;
    check_bad_json_redacted(1);
}

static void test_bad_json_token_redacted(void **state)
{
    (void)state;
    check_bad_json_redacted(0);
}

/* ---------------------------------------------------------------------- */
/* 429 and Retry-After                                                     */
/* ---------------------------------------------------------------------- */

/* One 429 with the given Retry-After option, then 200: the invoke is
 * retried once, after a wait from min_gap_ms to max_gap_ms. A positive
 * `base_delay_ms` sets both the base and the maximum backoff. */
static void check_rate_limit_then_ok(const char *option, const char *value, long base_delay_ms,
                                     long min_gap_ms, long max_gap_ms)
{
    const char *const options[] = { "--status", "429", "--count", "1", option, value, NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    if (base_delay_ms > 0) {
        opts.retry.base_delay_ms = base_delay_ms;
        opts.retry.max_delay_ms = base_delay_ms;
    }
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_invoke_succeeded(&out);
    assert_int_equal(stats.requests, 2);
    print_message("wait between attempts: %ld ms\n", gap_before(&stats, 1));
    assert_in_range(gap_before(&stats, 1), min_gap_ms, max_gap_ms);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void test_rate_limit_seconds(void **state)
{
    (void)state;
    check_rate_limit_then_ok("--retry-after", "1", 0, 950, 1000 + MARGIN_MS);
}

static void test_rate_limit_fractional(void **state)
{
    (void)state;
    check_rate_limit_then_ok("--retry-after", "0.5", 0, 450, 500 + MARGIN_MS);
}

/* The date is 2 s ahead of the server's clock in whole seconds, and the
 * client subtracts its own whole-second clock, so the wait is 1 or 2 s. */
static void test_rate_limit_http_date(void **state)
{
    (void)state;
    check_rate_limit_then_ok("--retry-after-date", "2", 0, 900, 2000 + MARGIN_MS);
}

/* An unparsable Retry-After falls back to the 300 ms backoff, never to a
 * zero wait. The jitter keeps at least half the backoff, so the wait is
 * 150 to 300 ms. The lower bound of 100 ms leaves slack for timers. */
static void test_rate_limit_garbage(void **state)
{
    (void)state;
    check_rate_limit_then_ok("--retry-after", "soon-ish", 300, 100, 300 + MARGIN_MS);
}

/* A negative Retry-After is invalid, so the 300 ms backoff applies. */
static void test_rate_limit_negative(void **state)
{
    (void)state;
    check_rate_limit_then_ok("--retry-after", "-1", 300, 100, 300 + MARGIN_MS);
}

/* A wait longer than the time left fails at once as a rate-limit error. */
static void test_rate_limit_past_deadline(void **state)
{
    static const char *const options[] = { "--status", "429", "--retry-after", "30", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    opts.retry.deadline_ms = 3000;
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(out.err), 429);
    assert_true(fabs(stayhooks_error_retry_after(out.err) - 30.0) < 0.001);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.requests, 1);
    assert_int_equal(stats.invoke_bodies, 1);
    assert_in_range(out.elapsed_ms, 0, 500);
    outcome_free(&out);
}

/* Without a deadline, a Retry-After longer than max_delay_ms fails at once
 * as a rate-limit error instead of holding the call for 30 s. */
static void test_rate_limit_over_max_delay(void **state)
{
    static const char *const options[] = { "--status", "429", "--retry-after", "30", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    opts.retry.deadline_ms = -1;
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(out.err), 429);
    assert_true(fabs(stayhooks_error_retry_after(out.err) - 30.0) < 0.001);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.requests, 1);
    assert_in_range(out.elapsed_ms, 0, 500);
    outcome_free(&out);
}

/* Without a deadline, a Retry-After within max_delay_ms (200 ms) is still
 * honoured until the attempts run out. */
static void test_rate_limit_no_deadline_retried(void **state)
{
    static const char *const options[] = { "--status", "429", "--retry-after", "0.1", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    opts.retry.deadline_ms = -1;
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(out.err), 429);
    assert_int_equal(stayhooks_error_attempts(out.err), 3);
    assert_int_equal(stats.requests, 3);
    assert_in_range(gap_before(&stats, 1), 90, 100 + MARGIN_MS);
    assert_in_range(out.elapsed_ms, 180, DEADLINE_MS);
    outcome_free(&out);
}

/* A policy that sets only max_attempts and the delays keeps the default
 * 30 s deadline, so a Retry-After of 1 s, longer than max_delay_ms
 * (200 ms), is still waited out. */
static void test_rate_limit_default_deadline_kept(void **state)
{
    static const char *const options[] = { "--status", "429", "--retry-after", "1", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    opts.retry.max_attempts = 2;
    opts.retry.deadline_ms = 0;
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(out.err), 429);
    assert_int_equal(stayhooks_error_attempts(out.err), 2);
    assert_int_equal(stats.requests, 2);
    assert_in_range(gap_before(&stats, 1), 950, 1000 + MARGIN_MS);
    assert_in_range(out.elapsed_ms, 950, 1000 + MARGIN_MS);
    outcome_free(&out);
}

static void test_rate_limit_exhausts_attempts(void **state)
{
    static const char *const options[] = { "--status", "429", "--retry-after", "0.1", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(out.err), 429);
    assert_true(fabs(stayhooks_error_retry_after(out.err) - 0.1) < 0.001);
    assert_int_equal(stayhooks_error_attempts(out.err), 3);
    assert_int_equal(stats.requests, 3);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* ---------------------------------------------------------------------- */
/* 502, 503, 504                                                           */
/* ---------------------------------------------------------------------- */

/* A 503 with Retry-After means the server did not act, so the invoke is
 * retried. Both bodies arrive, but the server accepted only the second. */
static void test_unavailable_retry_after_invoke(void **state)
{
    static const char *const options[] = { "--status", "503", "--count", "1",
                                           "--retry-after", "0.2", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_invoke_succeeded(&out);
    assert_int_equal(stats.requests, 2);
    assert_in_range(gap_before(&stats, 1), 150, 200 + MARGIN_MS);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void check_status_invoke_not_retried(const char *status)
{
    const char *const options[] = { "--status", status, "--count", "1", NULL };
    char expected_message[64];
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(out.err), atol(status));
    snprintf(expected_message, sizeof expected_message, "injected status %s", status);
    assert_string_equal(stayhooks_error_message(out.err), expected_message);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 0);
    assert_int_equal(stats.requests, 1);
    assert_int_equal(stats.invoke_bodies, 1);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void test_unavailable_no_retry_after_invoke(void **state)
{
    (void)state;
    check_status_invoke_not_retried("503");
}

static void test_bad_gateway_invoke_not_retried(void **state)
{
    (void)state;
    check_status_invoke_not_retried("502");
}

static void test_gateway_timeout_invoke_not_retried(void **state)
{
    (void)state;
    check_status_invoke_not_retried("504");
}

/* Replies `failures` times with `status`, then 200. The GET is retried
 * each time. */
static void check_status_list_retried(const char *status, const char *failures)
{
    const char *const options[] = { "--status", status, "--count", failures, NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    list_test_webhooks(&opts, &out);
    read_stats(server, &stats);

    assert_list_succeeded(&out);
    assert_int_equal(stats.requests, atol(failures) + 1);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void test_unavailable_list_retried(void **state)
{
    (void)state;
    check_status_list_retried("503", "1");
}

static void test_bad_gateway_list_retried(void **state)
{
    (void)state;
    check_status_list_retried("502", "2");
}

static void test_gateway_timeout_list_retried(void **state)
{
    (void)state;
    check_status_list_retried("504", "1");
}

/* DELETE is idempotent, so a 503 without Retry-After is retried. */
static void test_unavailable_delete_retried(void **state)
{
    static const char *const options[] = { "--status", "503", "--count", "1", NULL };
    char base_url[64];
    stayhooks_options opts;
    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;
    struct fault_stats stats;
    struct timespec start;
    int ok = 0;
    int rc;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    assert_int_equal(stayhooks_client_new(&opts, &client, NULL), STAYHOOKS_OK);
    clock_gettime(CLOCK_MONOTONIC, &start);
    rc = stayhooks_delete_webhook(client, "R1", "W1", &ok, &err);
    assert_in_range(fault_elapsed_ms(&start), 0, DEADLINE_MS + MARGIN_MS);
    stayhooks_client_free(client);
    read_stats(server, &stats);

    assert_int_equal(rc, STAYHOOKS_OK);
    assert_null(err);
    assert_int_equal(ok, 1);
    assert_int_equal(stats.requests, 2);
    assert_string_equal(stats.target[1], "/api/webhooks/R1/W1");
}

/* Creating a webhook is a POST, which may not be repeated after a 502. */
static void test_bad_gateway_create_not_retried(void **state)
{
    static const char *const options[] = { "--status", "502", "--count", "1", NULL };
    char base_url[64];
    stayhooks_options opts;
    stayhooks_client *client = NULL;
    stayhooks_secret_bundle *bundle = NULL;
    stayhooks_error *err = NULL;
    struct fault_stats stats;
    int rc;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    assert_int_equal(stayhooks_client_new(&opts, &client, NULL), STAYHOOKS_OK);
    rc = stayhooks_create_webhook(client, "R1", "Deploy bot", NULL, 0, &bundle, &err);
    stayhooks_client_free(client);
    read_stats(server, &stats);

    assert_int_equal(rc, STAYHOOKS_ERR_HTTP);
    assert_null(bundle);
    assert_non_null(err);
    assert_int_equal(stayhooks_error_status(err), 502);
    assert_int_equal(stayhooks_error_attempts(err), 1);
    assert_int_equal(stats.requests, 1);
    stayhooks_error_free(err);
}

static void test_bad_gateway_list_exhausts(void **state)
{
    static const char *const options[] = { "--status", "502", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    list_test_webhooks(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(out.err), 502);
    assert_int_equal(stayhooks_error_attempts(out.err), 3);
    assert_int_equal(stats.requests, 3);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* A 500 is not in the retry list for any call. */
static void test_server_error_list_not_retried(void **state)
{
    static const char *const options[] = { "--status", "500", "--count", "1", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("status", 0, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    list_test_webhooks(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(out.err), 500);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.requests, 1);
    outcome_free(&out);
}

/* ---------------------------------------------------------------------- */
/* Redirects                                                               */
/* ---------------------------------------------------------------------- */

/* The 302 comes back as an http error with its Location, and the second
 * server gets no connection, so no secret or token reaches it. */
static void check_redirect_not_followed(int invoke)
{
    char location[128];
    const char *const options[] = { "--location", location, NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats target_stats;
    struct fault_stats stats;
    struct fault_server *target = start_server("ok", 0, NULL);
    struct fault_server *server;

    snprintf(location, sizeof location, "http://127.0.0.1:%d/api/webhooks/R1%s", target->port,
             invoke ? "/W1/invoke" : "");
    server = start_server("redirect", 0, options);
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    if (invoke)
        send_test_message(&opts, &out);
    else
        list_test_webhooks(&opts, &out);
    read_stats(server, &stats);
    read_stats(target, &target_stats);

    assert_failed_with(&out, STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(out.err), 302);
    assert_non_null(stayhooks_error_location(out.err));
    assert_string_equal(stayhooks_error_location(out.err), location);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.requests, 1);
    assert_int_equal(stats.invoke_bodies, invoke ? 1 : 0);
    assert_int_equal(target_stats.connections, 0);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void test_redirect_invoke_not_followed(void **state)
{
    (void)state;
    check_redirect_not_followed(1);
}

static void test_redirect_list_not_followed(void **state)
{
    (void)state;
    check_redirect_not_followed(0);
}

/* ---------------------------------------------------------------------- */
/* Paths                                                                   */
/* ---------------------------------------------------------------------- */

/* IDs "." and ".." are sent as path segments exactly as built, because
 * libcurl would otherwise remove them as dot segments. */
static void test_dot_segment_ids_sent_as_is(void **state)
{
    stayhooks_target target = { "..", ".", NULL, FAULT_SECRET };
    stayhooks_message message = { "fault test", NULL, NULL };
    stayhooks_webhook_list *list = NULL;
    stayhooks_invoke_result *result = NULL;
    stayhooks_client *client = NULL;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("ok", 0, NULL);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "http", server->port);
    assert_int_equal(stayhooks_client_new(&opts, &client, NULL), STAYHOOKS_OK);
    assert_int_equal(stayhooks_send_message(client, &target, &message, &result, NULL),
                     STAYHOOKS_OK);
    stayhooks_list_webhooks(client, "..", &list, NULL);
    stayhooks_client_free(client);
    stayhooks_invoke_result_free(result);
    stayhooks_webhook_list_free(list);
    read_stats(server, &stats);

    assert_int_equal(stats.requests, 2);
    assert_string_equal(stats.target[0], "/api/webhooks/.././invoke");
    assert_string_equal(stats.target[1], "/api/webhooks/..");
}

/* ---------------------------------------------------------------------- */
/* TLS                                                                     */
/* ---------------------------------------------------------------------- */

/* The certificate is self-signed and in no trust store, so the handshake
 * fails and no request reaches the server. The same certificate would come
 * back on every attempt, so the call is not retried. */
static void test_tls_untrusted_fails(void **state)
{
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("ok", 1, NULL);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "https", server->port);
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 0);
    assert_int_equal(stats.requests, 0);
    assert_int_equal(stats.invoke_bodies, 0);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.connections, 1);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* A GET is idempotent, but a rejected certificate is still not retried. */
static void test_tls_untrusted_list_not_retried(void **state)
{
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("ok", 1, NULL);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "https", server->port);
    list_test_webhooks(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.connections, 1);
    assert_int_equal(stats.requests, 0);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

/* The client trusts the certificate, but it names another host and keeps
 * 127.0.0.1 only in its common name, which a client must not fall back to
 * when a subjectAltName is present. */
static void test_tls_wrong_host_fails(void **state)
{
    static const char *const options[] = { "--tls-san", "DNS:wrong-host.invalid", NULL };
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("ok", 1, options);

    (void)state;
    init_options(&opts, base_url, sizeof base_url, "https", server->port);
    opts.ca_file = server->cert_path;
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_failed_with(&out, STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_delivery_unknown(out.err), 0);
    assert_int_equal(stats.requests, 0);
    assert_int_equal(stats.invoke_bodies, 0);
    assert_int_equal(stayhooks_error_attempts(out.err), 1);
    assert_int_equal(stats.connections, 1);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void check_tls_succeeds(int use_ca_file)
{
    struct outcome out;
    char base_url[64];
    stayhooks_options opts;
    struct fault_stats stats;
    struct fault_server *server = start_server("ok", 1, NULL);

    init_options(&opts, base_url, sizeof base_url, "https", server->port);
    if (use_ca_file)
        opts.ca_file = server->cert_path;
    else
        opts.insecure = 1;
    send_test_message(&opts, &out);
    read_stats(server, &stats);

    assert_invoke_succeeded(&out);
    assert_int_equal(stats.requests, 1);
    assert_int_equal(stats.invoke_bodies, 1);
    assert_within_deadline(&out, &opts);
    outcome_free(&out);
}

static void test_tls_ca_file_succeeds(void **state)
{
    (void)state;
    check_tls_succeeds(1);
}

static void test_tls_insecure_succeeds(void **state)
{
    (void)state;
    check_tls_succeeds(0);
}

/* ---------------------------------------------------------------------- */
/* Proxies from the environment                                            */
/* ---------------------------------------------------------------------- */

#define PROXY_PLACEHOLDER "<proxy>"

/*
 * Sends one message to `scheme`://127.0.0.1:`port` from a forked child with
 * the variables in `env` set, so they never leak into other tests. `env` is
 * NULL-terminated name and value pairs, and PROXY_PLACEHOLDER in a value
 * becomes `proxy_url`. Returns the child's result code, or -1 when the
 * child did not exit normally.
 */
static int send_with_env(const char *const *env, const char *proxy_url, const char *scheme,
                         int port)
{
    int status = 0;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        stayhooks_target target = { "R1", "W1", NULL, FAULT_SECRET };
        stayhooks_message message = { "fault test", NULL, NULL };
        stayhooks_invoke_result *result = NULL;
        stayhooks_client *client = NULL;
        stayhooks_options opts;
        char base_url[64];
        int rc;

        for (; env[0] != NULL; env += 2) {
            const char *value = strcmp(env[1], PROXY_PLACEHOLDER) == 0 ? proxy_url : env[1];

            setenv(env[0], value, 1);
        }
        init_options(&opts, base_url, sizeof base_url, scheme, port);
        rc = stayhooks_client_new(&opts, &client, NULL);
        if (rc == STAYHOOKS_OK)
            rc = stayhooks_send_message(client, &target, &message, &result, NULL);
        stayhooks_invoke_result_free(result);
        stayhooks_client_free(client);
        _exit(rc);
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* Sends with `env` set and checks whether the request went through the
 * proxy (an absolute-form request target) or straight to the server. */
static void check_proxy_route(const char *const *env, int expect_proxy)
{
    char proxy_url[64];
    char absolute_url[128];
    struct fault_stats proxy_stats;
    struct fault_stats stats;
    struct fault_server *server = start_server("ok", 0, NULL);
    struct fault_server *proxy = start_server("ok", 0, NULL);
    struct timespec start;

    snprintf(proxy_url, sizeof proxy_url, "http://127.0.0.1:%d", proxy->port);
    snprintf(absolute_url, sizeof absolute_url,
             "http://127.0.0.1:%d/api/webhooks/R1/W1/invoke", server->port);
    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(send_with_env(env, proxy_url, "http", server->port), STAYHOOKS_OK);
    assert_in_range(fault_elapsed_ms(&start), 0, DEADLINE_MS + MARGIN_MS);
    read_stats(server, &stats);
    read_stats(proxy, &proxy_stats);

    if (expect_proxy) {
        assert_int_equal(proxy_stats.requests, 1);
        assert_string_equal(proxy_stats.target[0], absolute_url);
        assert_int_equal(stats.connections, 0);
    } else {
        assert_int_equal(stats.requests, 1);
        assert_string_equal(stats.target[0], "/api/webhooks/R1/W1/invoke");
        assert_int_equal(proxy_stats.connections, 0);
    }
}

static void test_proxy_empty_means_direct(void **state)
{
    static const char *const env[] = { "http_proxy", "", NULL };

    (void)state;
    check_proxy_route(env, 0);
}

/* libcurl and the library read lowercase http_proxy for http:// URLs. */
static void test_proxy_lowercase_routes(void **state)
{
    static const char *const env[] = { "http_proxy", PROXY_PLACEHOLDER, NULL };

    (void)state;
    check_proxy_route(env, 1);
}

/* The library also reads uppercase HTTP_PROXY for http:// URLs, which
 * libcurl 7.88.1 on its own would ignore. */
static void test_proxy_uppercase_routes(void **state)
{
    static const char *const env[] = { "HTTP_PROXY", PROXY_PLACEHOLDER, NULL };

    (void)state;
    check_proxy_route(env, 1);
}

/* An empty http_proxy counts as unset, so HTTP_PROXY applies. */
static void test_proxy_empty_falls_to_uppercase(void **state)
{
    static const char *const env[] = { "http_proxy", "", "HTTP_PROXY", PROXY_PLACEHOLDER, NULL };

    (void)state;
    check_proxy_route(env, 1);
}

/* The lowercase name wins when both are set. */
static void test_proxy_lowercase_wins(void **state)
{
    static const char *const env[] = { "http_proxy", PROXY_PLACEHOLDER, "HTTP_PROXY",
                                       "http://127.0.0.1:1", NULL };

    (void)state;
    check_proxy_route(env, 1);
}

static void test_proxy_all_proxy_routes(void **state)
{
    static const char *const env[] = { "all_proxy", PROXY_PLACEHOLDER, NULL };

    (void)state;
    check_proxy_route(env, 1);
}

/* An empty http_proxy counts as unset, so all_proxy applies. libcurl 7.88.1
 * does the same when it reads the environment itself (checked with the
 * curl tool against two fault servers). */
static void test_proxy_empty_falls_to_all_proxy(void **state)
{
    static const char *const env[] = { "http_proxy", "", "all_proxy", PROXY_PLACEHOLDER, NULL };

    (void)state;
    check_proxy_route(env, 1);
}

static void test_proxy_no_proxy_bypasses(void **state)
{
    static const char *const env[] = { "http_proxy", PROXY_PLACEHOLDER, "no_proxy", "127.0.0.1",
                                       NULL };

    (void)state;
    check_proxy_route(env, 0);
}

/* For https:// URLs the library also reads uppercase HTTPS_PROXY. The proxy
 * gets a CONNECT for the server's address and then closes, so the call
 * fails, but the TLS server never gets a direct connection. */
static void test_proxy_https_uses_connect(void **state)
{
    static const char *const env[] = { "HTTPS_PROXY", PROXY_PLACEHOLDER, NULL };
    char proxy_url[64];
    char authority[64];
    struct fault_stats proxy_stats;
    struct fault_stats stats;
    struct fault_server *server = start_server("ok", 1, NULL);
    struct fault_server *proxy = start_server("ok", 0, NULL);

    (void)state;
    snprintf(proxy_url, sizeof proxy_url, "http://127.0.0.1:%d", proxy->port);
    snprintf(authority, sizeof authority, "127.0.0.1:%d", server->port);
    assert_int_equal(send_with_env(env, proxy_url, "https", server->port),
                     STAYHOOKS_ERR_NETWORK);
    read_stats(server, &stats);
    read_stats(proxy, &proxy_stats);

    assert_in_range(proxy_stats.requests, 1, 3);
    assert_string_equal(proxy_stats.target[0], authority);
    assert_int_equal(stats.connections, 0);
}

#define FAULT_TEST(name) cmocka_unit_test_teardown(name, fault_stop_all)

static const struct CMUnitTest tests[] = {
    FAULT_TEST(test_refused_invoke_retried),
    FAULT_TEST(test_refused_list_retried),
    FAULT_TEST(test_accept_close_invoke),
    FAULT_TEST(test_mid_headers_invoke_not_retried),
    FAULT_TEST(test_mid_body_invoke_not_retried),
    FAULT_TEST(test_short_body_invoke_not_retried),
    FAULT_TEST(test_read_drop_invoke_not_retried),
    FAULT_TEST(test_keepalive_drop_invoke_not_resent),
    FAULT_TEST(test_stall_invoke_delivery_unknown),
    FAULT_TEST(test_trickle_invoke_times_out),
    FAULT_TEST(test_stall_list_capped_by_deadline),
    FAULT_TEST(test_read_drop_list_retried),
    FAULT_TEST(test_refused_stops_at_deadline),
    FAULT_TEST(test_stall_attempt_capped_by_deadline),
    FAULT_TEST(test_rate_limit_wait_fits_once),
    FAULT_TEST(test_big_body_over_cap),
    FAULT_TEST(test_big_chunked_over_cap),
    FAULT_TEST(test_default_cap_one_mib),
    FAULT_TEST(test_body_under_cap_succeeds),
    FAULT_TEST(test_chunked_reply_succeeds),
    FAULT_TEST(test_bad_json_invalid_response),
    FAULT_TEST(test_bad_json_secret_redacted),
    FAULT_TEST(test_bad_json_token_redacted),
    FAULT_TEST(test_rate_limit_seconds),
    FAULT_TEST(test_rate_limit_fractional),
    FAULT_TEST(test_rate_limit_http_date),
    FAULT_TEST(test_rate_limit_garbage),
    FAULT_TEST(test_rate_limit_negative),
    FAULT_TEST(test_rate_limit_past_deadline),
    FAULT_TEST(test_rate_limit_over_max_delay),
    FAULT_TEST(test_rate_limit_no_deadline_retried),
    FAULT_TEST(test_rate_limit_default_deadline_kept),
    FAULT_TEST(test_rate_limit_exhausts_attempts),
    FAULT_TEST(test_unavailable_retry_after_invoke),
    FAULT_TEST(test_unavailable_no_retry_after_invoke),
    FAULT_TEST(test_bad_gateway_invoke_not_retried),
    FAULT_TEST(test_gateway_timeout_invoke_not_retried),
    FAULT_TEST(test_unavailable_list_retried),
    FAULT_TEST(test_bad_gateway_list_retried),
    FAULT_TEST(test_gateway_timeout_list_retried),
    FAULT_TEST(test_unavailable_delete_retried),
    FAULT_TEST(test_bad_gateway_create_not_retried),
    FAULT_TEST(test_bad_gateway_list_exhausts),
    FAULT_TEST(test_server_error_list_not_retried),
    FAULT_TEST(test_redirect_invoke_not_followed),
    FAULT_TEST(test_redirect_list_not_followed),
    FAULT_TEST(test_dot_segment_ids_sent_as_is),
    FAULT_TEST(test_tls_untrusted_fails),
    FAULT_TEST(test_tls_untrusted_list_not_retried),
    FAULT_TEST(test_tls_wrong_host_fails),
    FAULT_TEST(test_tls_ca_file_succeeds),
    FAULT_TEST(test_tls_insecure_succeeds),
    FAULT_TEST(test_proxy_empty_means_direct),
    FAULT_TEST(test_proxy_lowercase_routes),
    FAULT_TEST(test_proxy_uppercase_routes),
    FAULT_TEST(test_proxy_empty_falls_to_uppercase),
    FAULT_TEST(test_proxy_lowercase_wins),
    FAULT_TEST(test_proxy_all_proxy_routes),
    FAULT_TEST(test_proxy_empty_falls_to_all_proxy),
    FAULT_TEST(test_proxy_no_proxy_bypasses),
    FAULT_TEST(test_proxy_https_uses_connect),
};

int main(int argc, char **argv)
{
    size_t i;

    clear_proxy_environment();
    if (stayhooks_global_init() != STAYHOOKS_OK) {
        fprintf(stderr, "test_fault: stayhooks_global_init failed\n");
        return 1;
    }

    if (argc > 1) {
        /* A misspelt name in CMakeLists.txt must fail, not run zero tests. */
        for (i = 0; i < sizeof tests / sizeof tests[0]; i++)
            if (strcmp(tests[i].name, argv[1]) == 0)
                break;
        if (i == sizeof tests / sizeof tests[0]) {
            fprintf(stderr, "test_fault: no test named '%s'\n", argv[1]);
            return 1;
        }
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests_name("fault", tests, NULL, NULL);
}
