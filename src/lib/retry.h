/* retry.h: the retry policy: which failures are retried and how long to
 * wait (private). */
#ifndef STAYHOOKS_LIB_RETRY_H
#define STAYHOOKS_LIB_RETRY_H

#include "stayhooks.h"

#include <time.h>

#define STAYHOOKS_DEFAULT_ATTEMPTS 3
#define STAYHOOKS_DEFAULT_BASE_DELAY_MS 200L
#define STAYHOOKS_DEFAULT_MAX_DELAY_MS 5000L
#define STAYHOOKS_DEFAULT_DEADLINE_MS 30000L

/* What one HTTP attempt ended with, as far as retrying cares. */
typedef struct stayhooks__attempt_outcome {
    int network_error;    /* 1 when no reply was received */
    int nothing_sent;     /* 1 when not a byte of the request left (connect failed) */
    int delivery_unknown; /* 1 when the request was fully sent but no reply came */
    long status;          /* HTTP status of the reply, 0 without one */
    double retry_after;   /* seconds from Retry-After, negative when absent */
    int certificate_failed; /* 1 when the TLS certificate check failed */
} stayhooks__attempt_outcome;

/* Fills each zero field of `policy` with its own default (3 attempts,
 * 200 ms base, 5000 ms cap, 30000 ms deadline). A zero deadline becomes at
 * least `timeout_ms`, the per-attempt timeout. A negative deadline means
 * none and resolves to 0, which is how the request code reads "none". */
stayhooks_retry_policy stayhooks__retry_policy_resolve(const stayhooks_retry_policy *policy,
                                                       long timeout_ms);

/* Parses a Retry-After value: whole or fractional seconds, or an HTTP date
 * (compared with `now`, never negative). Returns the wait in seconds, or
 * -1.0 for NULL, empty or unparsable values. */
double stayhooks__retry_after_parse(const char *value, time_t now);

/* Returns the backoff before the attempt after attempt number `attempt`
 * (1-based): base * 2^(attempt-1), capped at max_delay_ms, with "equal
 * jitter" (half fixed, half scaled by `unit_random` in [0, 1)). Never less
 * than 1 ms. */
long stayhooks__backoff_ms(const stayhooks_retry_policy *policy, int attempt,
                           double unit_random);

/* Returns 1 when an attempt with `outcome` may be retried for `method`.
 * Connect failures are retried for every method, except a rejected TLS
 * certificate, which no retry can fix. GET, PATCH and DELETE are
 * idempotent, so they are also retried after any other network failure
 * and on 429, 502, 503 and 504. POST (invoke, create, rotate) is retried
 * only on 429 or on 503 with Retry-After, because the server surely did
 * not act then, and never after a delivery-unknown failure. */
int stayhooks__retryable(const char *method, const stayhooks__attempt_outcome *outcome);

/* Returns the wait in milliseconds before the next attempt: the reply's
 * Retry-After when it has one, else the jittered backoff. */
long stayhooks__retry_wait_ms(const stayhooks_retry_policy *policy, int attempt,
                              const stayhooks__attempt_outcome *outcome,
                              double unit_random);

#endif
