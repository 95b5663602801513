/*
 * bench_client.c: client-side throughput of libstayhooks against a running
 * stayhooks-server, for bench/run.sh.
 *
 *   bench_client sequential SECONDS   invokes one after another through one
 *                                     client for SECONDS
 *   bench_client batch COUNT PARALLEL one batch of COUNT invokes over
 *                                     PARALLEL connections
 *
 * The target comes from STAYHERE_BASE_URL, STAYHERE_ROOM, STAYHERE_WEBHOOK
 * and STAYHERE_SECRET, so the secret is never in argv. Each mode sends
 * {"action":"message","payload":{"text":"bench"}} and prints one line:
 * "<invokes> <seconds> <invokes per second> <failures> <connections>".
 * Exits 1 when any invoke failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <stayhooks.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAYLOAD "{\"text\":\"bench\"}"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *required_env(const char *name)
{
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "bench_client: %s is not set\n", name);
        exit(2);
    }
    return value;
}

static void report_error(const char *what, stayhooks_error *err)
{
    fprintf(stderr, "bench_client: %s failed: %s (HTTP %ld): %s\n", what,
            stayhooks_code_name(stayhooks_error_code(err)), stayhooks_error_status(err),
            stayhooks_error_message(err));
}

/* Invokes back to back until `seconds` have passed. */
static int run_sequential(stayhooks_client *client, const stayhooks_target *target,
                          double seconds)
{
    long count = 0;
    long failures = 0;
    double start = now_seconds();
    double elapsed = 0.0;

    while (elapsed < seconds) {
        stayhooks_invoke_result *result = NULL;
        stayhooks_error *err = NULL;

        if (stayhooks_invoke(client, target, "message", PAYLOAD, &result, &err) !=
            STAYHOOKS_OK) {
            if (failures == 0)
                report_error("invoke", err);
            failures++;
        }
        stayhooks_invoke_result_free(result);
        stayhooks_error_free(err);
        count++;
        elapsed = now_seconds() - start;
    }

    printf("%ld %.3f %.1f %ld %d\n", count, elapsed, (double)count / elapsed, failures, 1);
    return failures == 0 ? 0 : 1;
}

static int run_batch(stayhooks_client *client, const stayhooks_target *target, long count,
                     int parallel)
{
    stayhooks_batch *batch = NULL;
    stayhooks_error *err = NULL;
    long failures = 0;
    int rc = 1;

    if (stayhooks_batch_new(client, &batch, &err) != STAYHOOKS_OK) {
        report_error("batch_new", err);
        goto done;
    }
    for (long i = 0; i < count; i++) {
        if (stayhooks_batch_add_invoke(batch, target, "message", PAYLOAD, &err) != STAYHOOKS_OK) {
            report_error("batch_add_invoke", err);
            goto done;
        }
    }

    /* Only the delivery is timed, not building the queue. */
    double start = now_seconds();
    if (stayhooks_batch_run(batch, parallel, NULL, NULL, &err) != STAYHOOKS_OK) {
        report_error("batch_run", err);
        goto done;
    }
    double elapsed = now_seconds() - start;

    for (long i = 0; i < count; i++) {
        const stayhooks_error *item_err = NULL;
        if (stayhooks_batch_result(batch, (size_t)i, NULL, &item_err) != STAYHOOKS_OK) {
            if (failures == 0)
                fprintf(stderr, "bench_client: item %ld failed: %s\n", i,
                        stayhooks_error_message(item_err));
            failures++;
        }
    }
    printf("%ld %.3f %.1f %ld %ld\n", count, elapsed, (double)count / elapsed, failures,
           stayhooks_batch_connection_count(batch));
    rc = failures == 0 ? 0 : 1;

done:
    stayhooks_error_free(err);
    stayhooks_batch_free(batch);
    return rc;
}

int main(int argc, char **argv)
{
    stayhooks_options options;
    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;
    stayhooks_target target = { 0 };
    int rc = 2;

    if (argc < 3 || (strcmp(argv[1], "sequential") != 0 && strcmp(argv[1], "batch") != 0) ||
        (strcmp(argv[1], "batch") == 0 && argc < 4)) {
        fprintf(stderr, "usage: bench_client sequential SECONDS | batch COUNT PARALLEL\n");
        return 2;
    }

    stayhooks_options_init(&options);
    options.base_url = required_env("STAYHERE_BASE_URL");
    options.retry.max_attempts = 1;
    target.room_id = required_env("STAYHERE_ROOM");
    target.webhook_id = required_env("STAYHERE_WEBHOOK");
    target.secret = required_env("STAYHERE_SECRET");

    if (stayhooks_client_new(&options, &client, &err) != STAYHOOKS_OK) {
        report_error("client_new", err);
        stayhooks_error_free(err);
        return 2;
    }

    if (strcmp(argv[1], "sequential") == 0)
        rc = run_sequential(client, &target, atof(argv[2]));
    else
        rc = run_batch(client, &target, atol(argv[2]), atoi(argv[3]));

    stayhooks_client_free(client);
    return rc;
}
