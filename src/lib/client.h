/* client.h: the client handle (private). */
#ifndef STAYHOOKS_LIB_CLIENT_H
#define STAYHOOKS_LIB_CLIENT_H

#include "stayhooks.h"

#include <curl/curl.h>

#define STAYHOOKS_DEFAULT_BASE_URL "http://localhost:3000"
#define STAYHOOKS_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define STAYHOOKS_DEFAULT_TIMEOUT_MS 30000L
#define STAYHOOKS_DEFAULT_MAX_RESPONSE_BYTES ((size_t)1024 * 1024)

struct stayhooks_client {
    char *base_url;      /* no trailing slash */
    char *prefix;        /* "" or "/segment" */
    char *token;         /* NULL when none was given */
    char *user_agent;
    char *default_alias; /* NULL when none was given */
    long connect_timeout_ms;
    long timeout_ms;
    char *ca_file;
    int insecure;
    size_t max_response_bytes;
    stayhooks_retry_policy retry; /* defaults already applied */
    int dry_run;
    stayhooks_log_fn log;
    void *log_userdata;
    CURL *curl;          /* kept across calls so the connection stays alive */
    char *last_request;  /* dry-run description of the last request */
    unsigned long long rng_state; /* jitter source, see client_random() */
};

/* Fails with STAYHOOKS_ERR_VALIDATION when `value` (may be NULL) contains a
 * control character, which could end the header it is sent in and start a
 * forged one. `what` names the value; the message never shows the value. */
int stayhooks__check_header_value(const char *value, const char *what, stayhooks_error **err);

/* Returns a pseudo-random number in [0, 1) for retry jitter. */
double stayhooks__client_random(stayhooks_client *client);

#endif
