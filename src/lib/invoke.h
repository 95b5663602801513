/* invoke.h: building invoke requests, shared by the single calls and
 * batches (private). */
#ifndef STAYHOOKS_LIB_INVOKE_H
#define STAYHOOKS_LIB_INVOKE_H

#include "request.h"

#include <jansson.h>

/* Each builder checks the target and the input, then fills `req` with the
 * POST of {"action", "payload"} to the invoke URL. `req->secret` borrows
 * `target->secret`. On failure nothing is left to free in `req`; on
 * success the caller frees it with stayhooks__request_clear(). */
int stayhooks__message_request(stayhooks_client *client, const stayhooks_target *target,
                               const stayhooks_message *message, stayhooks__request *req,
                               stayhooks_error **err);
int stayhooks__embed_request(stayhooks_client *client, const stayhooks_target *target,
                             const stayhooks_embed *embed, stayhooks__request *req,
                             stayhooks_error **err);
int stayhooks__poll_request(stayhooks_client *client, const stayhooks_target *target,
                            const stayhooks_poll *poll, stayhooks__request *req,
                            stayhooks_error **err);
int stayhooks__image_request(stayhooks_client *client, const stayhooks_target *target,
                             const stayhooks_image *image, stayhooks__request *req,
                             stayhooks_error **err);
/* `payload_json` is a JSON object as text; NULL means {}. */
int stayhooks__action_request(stayhooks_client *client, const stayhooks_target *target,
                              const char *action, const char *payload_json,
                              stayhooks__request *req, stayhooks_error **err);

/* Wraps `payload` (consumed) as {"action", "payload"} for a target that
 * was already checked. */
int stayhooks__invoke_request(stayhooks_client *client, const stayhooks_target *target,
                              const char *action, json_t *payload, stayhooks__request *req,
                              stayhooks_error **err);

#endif
