/* transport.h: one HTTP exchange over the client's libcurl handle
 * (private). */
#ifndef STAYHOOKS_LIB_TRANSPORT_H
#define STAYHOOKS_LIB_TRANSPORT_H

#include "client.h"

#include <curl/curl.h>
#include <stddef.h>

typedef struct stayhooks__header {
    const char *name;
    const char *value;
} stayhooks__header;

/* One request and what came back. The request fields are borrowed; the
 * reply fields are owned and released by stayhooks__exchange_clear(). */
typedef struct stayhooks__exchange {
    const char *method;
    const char *url;
    const char *body;              /* NULL: no body */
    const stayhooks__header *headers;
    size_t header_count;
    const char *const *secrets;    /* hidden in log lines */
    size_t secret_count;
    long timeout_ms;               /* this attempt */

    CURLcode result;
    char curl_error[CURL_ERROR_SIZE];
    long status;                   /* 0 without a reply */
    char *reply;                   /* NUL-terminated body, never NULL after a reply */
    size_t reply_len;
    int too_large;                 /* reply body exceeded max_response_bytes */
    char *retry_after;             /* raw Retry-After header value */
    char *location;                /* raw Location header value */
    int nothing_sent;              /* not a byte of the request left */
    int fully_sent;                /* headers and whole body left */
} stayhooks__exchange;

/* One exchange while libcurl runs it on an easy handle: the state that
 * the libcurl callbacks fill in. It must stay at the same address from
 * stayhooks__transfer_begin() to stayhooks__transfer_end(). */
typedef struct stayhooks__transfer {
    stayhooks_client *client;
    stayhooks__exchange *x;
    CURL *curl;
    struct curl_slist *headers;
    size_t reply_capacity;
    size_t header_bytes_out;
    size_t body_bytes_out;
    int headers_complete; /* the blank line after the last reply's headers arrived */
    size_t body_offset;   /* bytes of a POST body handed to libcurl so far */
    int resend_blocked;   /* libcurl tried to send a POST a second time */
} stayhooks__transfer;

/* Configures `curl` for the exchange `x` and logs the request. The caller
 * then runs the handle (curl_easy_perform, or a multi handle, where
 * CURLINFO_PRIVATE returns `t`) and calls stayhooks__transfer_end().
 * Returns STAYHOOKS_OK, or STAYHOOKS_ERR_INTERNAL when set-up failed. */
int stayhooks__transfer_begin(stayhooks_client *client, CURL *curl, stayhooks__exchange *x,
                              stayhooks__transfer *t);

/* Fills the reply fields of the exchange from libcurl's `result` and
 * detaches the handle. Returns STAYHOOKS_ERR_INTERNAL when out of
 * memory. */
int stayhooks__transfer_end(stayhooks__transfer *t, CURLcode result);

/* Detaches the handle from a transfer that will not be run or finished. */
void stayhooks__transfer_abandon(stayhooks__transfer *t);

/* Performs the exchange on the client's own handle. Returns STAYHOOKS_OK when libcurl ran (check
 * `result` and `status`), STAYHOOKS_ERR_INTERNAL when set-up failed. */
int stayhooks__transport_send(stayhooks_client *client, stayhooks__exchange *x);

/* Frees the reply fields and resets them, keeping the request fields. */
void stayhooks__exchange_clear(stayhooks__exchange *x);

/* Chooses the proxy for `url` from the environment, first match wins:
 * http_proxy and HTTP_PROXY for http, https_proxy and HTTPS_PROXY for
 * https, then all_proxy and ALL_PROXY. An empty variable counts as unset.
 * Returns the variable's value (borrowed from the environment) or NULL. */
const char *stayhooks__proxy_from_env(const char *url);

/* Returns NO_PROXY (or no_proxy) from the environment when non-empty. */
const char *stayhooks__noproxy_from_env(void);

#endif
