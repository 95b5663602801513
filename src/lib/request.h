/* request.h: one library call's request, sent with the retry policy or
 * recorded in dry-run mode (private). */
#ifndef STAYHOOKS_LIB_REQUEST_H
#define STAYHOOKS_LIB_REQUEST_H

#include "client.h"
#include "transport.h"

#include <jansson.h>

typedef struct stayhooks__request {
    const char *method;  /* "GET", "POST", "PATCH" or "DELETE" */
    char *url;           /* owned */
    json_t *body;        /* owned; NULL or an empty object sends no body */
    const char *secret;  /* borrowed; non-NULL makes this an invoke */
} stayhooks__request;

#define STAYHOOKS__MAX_HEADERS 5

/* The headers of one request; `items` borrow from the client and from
 * `authorization`. */
typedef struct stayhooks__request_headers {
    stayhooks__header items[STAYHOOKS__MAX_HEADERS];
    size_t count;
    char *authorization; /* owned "Bearer ..." value, wiped when freed */
} stayhooks__request_headers;

/* One request through all its attempts. stayhooks__perform() runs it with
 * the client's own handle; a batch runs many of them on a multi handle. */
typedef struct stayhooks__call {
    const stayhooks__request *req; /* borrowed */
    stayhooks__request_headers headers;
    char *body_text;               /* compact JSON, NULL without a body */
    const char *secrets[1];        /* hidden in log lines */
    stayhooks__exchange x;         /* the current attempt */
    long start_ms;                 /* stayhooks__monotonic_ms() at begin */
    int attempt;                   /* 1-based number of the current attempt */
    int dry_run_done;              /* dry-run mode recorded it; send nothing */
} stayhooks__call;

/* Returned by stayhooks__call_finish_attempt() when the retry policy
 * allows another attempt. Never a stayhooks_code. */
#define STAYHOOKS__CALL_RETRY (-1)

/* Checks the token rule, encodes the body and builds the headers. In
 * dry-run mode it records the request and sets `dry_run_done`. Call
 * stayhooks__call_clear() afterwards, whatever it returns. */
int stayhooks__call_begin(stayhooks_client *client, const stayhooks__request *req,
                          stayhooks__call *call, stayhooks_error **err);

/* Counts the next attempt and sets its timeout, shortened so that the
 * attempt ends by the retry policy's deadline. */
void stayhooks__call_next_attempt(stayhooks_client *client, stayhooks__call *call);

/* Judges the finished attempt in `call->x`. Returns STAYHOOKS_OK with the
 * parsed 2xx reply in `*reply`; STAYHOOKS__CALL_RETRY with the wait before
 * the next attempt in `*wait_ms`; or the error's code with the error
 * raised into `err`. */
int stayhooks__call_finish_attempt(stayhooks_client *client, stayhooks__call *call,
                                   json_t **reply, long *wait_ms, stayhooks_error **err);

/* Frees what stayhooks__call_begin() allocated. */
void stayhooks__call_clear(stayhooks__call *call);

/* Returns a monotonic clock in milliseconds. */
long stayhooks__monotonic_ms(void);

/* Sends `req`. A management request (no secret) needs the client's token
 * and fails with an auth error, status 401, without one. On success
 * `*reply` receives the 2xx reply as a JSON object (an empty body gives
 * {}), or NULL in dry-run mode, where the request is only recorded for
 * stayhooks_client_last_request(). */
int stayhooks__perform(stayhooks_client *client, const stayhooks__request *req,
                       json_t **reply, stayhooks_error **err);

/* Frees the owned fields. */
void stayhooks__request_clear(stayhooks__request *req);

#endif
