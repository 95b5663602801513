/* request.h: one library call's request, sent with the retry policy or
 * recorded in dry-run mode (private). */
#ifndef STAYHOOKS_LIB_REQUEST_H
#define STAYHOOKS_LIB_REQUEST_H

#include "client.h"

#include <jansson.h>

typedef struct stayhooks__request {
    const char *method;  /* "GET", "POST", "PATCH" or "DELETE" */
    char *url;           /* owned */
    json_t *body;        /* owned; NULL or an empty object sends no body */
    const char *secret;  /* borrowed; non-NULL makes this an invoke */
} stayhooks__request;

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
