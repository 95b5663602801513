/* payload.h: validating caller input and building request bodies
 * (private). Every builder returns STAYHOOKS_OK or a validation error that
 * names the offending field, and sends nothing. */
#ifndef STAYHOOKS_LIB_PAYLOAD_H
#define STAYHOOKS_LIB_PAYLOAD_H

#include "stayhooks.h"

#include <jansson.h>

/* Fails with a validation error when `value` is not NULL and not valid
 * UTF-8. `field` names it in the message. */
int stayhooks__check_utf8(const char *value, const char *field, stayhooks_error **err);

/* Parses `json_text` as a JSON object and merges its members into
 * `target`, replacing members of the same name. NULL merges nothing. */
int stayhooks__merge_object(json_t *target, const char *json_text, const char *field,
                            stayhooks_error **err);

/* Builds "• note" lines: notes trimmed, empty ones dropped, joined by "\n".
 * `*out` is NULL when no note remains. */
int stayhooks__build_notes(const char *const *notes, size_t note_count, char **out,
                           stayhooks_error **err);

/* Normalises permission names: trimmed, lower-cased, de-duplicated in
 * order. NULL gives the default set; an empty list or an unknown name is a
 * validation error. `*out` is a JSON array of strings. */
int stayhooks__build_permissions(const char *const *permissions, size_t count, json_t **out,
                                 stayhooks_error **err);

int stayhooks__build_message(const stayhooks_message *message, const char *default_alias,
                             json_t **out, stayhooks_error **err);
int stayhooks__build_embed(const stayhooks_embed *embed, const char *default_alias,
                           json_t **out, stayhooks_error **err);
int stayhooks__build_poll(const stayhooks_poll *poll, json_t **out, stayhooks_error **err);
int stayhooks__build_image(const stayhooks_image *image, json_t **out, stayhooks_error **err);

#endif
