/* reply.h: turning 2xx reply objects into result structs (private). Each
 * parser fails with STAYHOOKS_ERR_INVALID_RESPONSE, naming the member,
 * when a member has the wrong JSON type or a required member is absent or
 * null. Required: a webhook's `id`, a list's `webhooks`, the `secret` of
 * a create or rotate reply, and the `actions` of permitted actions.
 * Other members may be absent or null. */
#ifndef STAYHOOKS_LIB_REPLY_H
#define STAYHOOKS_LIB_REPLY_H

#include "stayhooks.h"

#include <jansson.h>

int stayhooks__parse_webhook(const json_t *obj, stayhooks_webhook *out, stayhooks_error **err);
int stayhooks__parse_webhook_list(const json_t *reply, stayhooks_webhook_list **out,
                                  stayhooks_error **err);
int stayhooks__parse_secret_bundle(const json_t *reply, stayhooks_secret_bundle **out,
                                   stayhooks_error **err);
/* Accepts {"webhook": {...}} or a bare webhook object. */
int stayhooks__parse_updated_webhook(const json_t *reply, stayhooks_webhook **out,
                                     stayhooks_error **err);
int stayhooks__parse_permitted_actions(const json_t *reply, stayhooks_permitted_actions **out,
                                       stayhooks_error **err);
int stayhooks__parse_invoke_result(const json_t *reply, stayhooks_invoke_result **out,
                                   stayhooks_error **err);
/* Reads `ok` of a delete reply: absent means 1. */
int stayhooks__parse_delete(const json_t *reply, int *ok, stayhooks_error **err);

#endif
