/* retry.c: backoff, Retry-After parsing and the retry decision. */
#include "retry.h"

#include <curl/curl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

stayhooks_retry_policy stayhooks__retry_policy_resolve(const stayhooks_retry_policy *policy,
                                                       long timeout_ms)
{
    stayhooks_retry_policy out = { 0, 0, 0, 0 };
    if (policy != NULL)
        out = *policy;

    /* Each zero field takes its own default, so setting one field never
     * changes the meaning of another. */
    if (out.max_attempts <= 0)
        out.max_attempts = STAYHOOKS_DEFAULT_ATTEMPTS;
    if (out.base_delay_ms <= 0)
        out.base_delay_ms = STAYHOOKS_DEFAULT_BASE_DELAY_MS;
    if (out.max_delay_ms <= 0)
        out.max_delay_ms = STAYHOOKS_DEFAULT_MAX_DELAY_MS;
    if (out.max_delay_ms < out.base_delay_ms)
        out.max_delay_ms = out.base_delay_ms;

    /* A default deadline shorter than the per-attempt timeout would cut
     * the first attempt short, so it grows to the timeout. */
    if (out.deadline_ms == 0) {
        out.deadline_ms = STAYHOOKS_DEFAULT_DEADLINE_MS;
        if (timeout_ms > out.deadline_ms)
            out.deadline_ms = timeout_ms;
    } else if (out.deadline_ms < 0) {
        out.deadline_ms = 0;
    }
    return out;
}

static int is_blank(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t')
            return 0;
    }
    return 1;
}

double stayhooks__retry_after_parse(const char *value, time_t now)
{
    if (value == NULL)
        return -1.0;
    while (*value == ' ' || *value == '\t')
        value++;
    if (*value == '\0')
        return -1.0;

    /* Seconds: digits with an optional fraction. strtod alone would also
     * take "inf", "0x10" or "-3", which are not Retry-After values. */
    if (*value >= '0' && *value <= '9') {
        char *end = NULL;
        double seconds = strtod(value, &end);
        if (end != value && is_blank(end) && isfinite(seconds) && strchr(value, 'x') == NULL &&
            strchr(value, 'X') == NULL && strchr(value, 'e') == NULL && strchr(value, 'E') == NULL)
            return seconds;
        return -1.0;
    }

    time_t when = curl_getdate(value, NULL);
    if (when == (time_t)-1)
        return -1.0;
    if (when <= now)
        return 0.0;
    return difftime(when, now);
}

long stayhooks__backoff_ms(const stayhooks_retry_policy *policy, int attempt,
                           double unit_random)
{
    double delay = (double)policy->base_delay_ms;
    for (int i = 1; i < attempt && delay < (double)policy->max_delay_ms; i++)
        delay *= 2.0;
    if (delay > (double)policy->max_delay_ms)
        delay = (double)policy->max_delay_ms;

    if (unit_random < 0.0 || unit_random >= 1.0)
        unit_random = 0.5;
    long wait = (long)(delay / 2.0 + unit_random * delay / 2.0);
    return wait >= 1 ? wait : 1;
}

int stayhooks__retryable(const char *method, const stayhooks__attempt_outcome *outcome)
{
    int is_post = strcmp(method, "POST") == 0;

    /* Repeating a GET, PATCH or DELETE is harmless even when the first
     * one reached the server. A POST is repeated only when it surely did
     * not. */
    if (outcome->certificate_failed)
        return 0;
    if (outcome->network_error)
        return outcome->nothing_sent || (!is_post && outcome->delivery_unknown);
    switch (outcome->status) {
    case 429:
        return 1;
    case 503:
        return !is_post || outcome->retry_after >= 0.0;
    case 502:
    case 504:
        return !is_post;
    default:
        return 0;
    }
}

long stayhooks__retry_wait_ms(const stayhooks_retry_policy *policy, int attempt,
                              const stayhooks__attempt_outcome *outcome,
                              double unit_random)
{
    if (!outcome->network_error && outcome->retry_after >= 0.0) {
        double ms = ceil(outcome->retry_after * 1000.0);
        if (ms > (double)LONG_MAX / 2)
            ms = (double)LONG_MAX / 2;
        /* "Retry-After: 0" still gets a short pause so a busy server is not
         * hit again in the same millisecond. */
        return ms >= 1.0 ? (long)ms : 1;
    }
    return stayhooks__backoff_ms(policy, attempt, unit_random);
}
