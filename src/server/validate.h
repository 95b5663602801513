/*
 * Field rules of management bodies and invoke payloads. Lengths count
 * Unicode code points. Every failure writes a message that starts with the
 * field's path, e.g. "payload.embed.color must be #RGB or #RRGGBB".
 */
#ifndef STAYHOOKS_SERVER_VALIDATE_H
#define STAYHOOKS_SERVER_VALIDATE_H

#include <jansson.h>
#include <stddef.h>

#define VALIDATE_MESSAGE_SIZE 256

/* Checks `label`: a string of 1-100 code points that is not all
 * whitespace. NULL or JSON null is "label is required". Returns 0 or -1
 * with `message` set. */
int validate_label(const json_t *value, char *message, size_t size);

/* Normalises `permissions`: a non-empty array of known names (message,
 * embed, poll, image), trimmed, lower-cased, duplicates dropped, order
 * kept. Returns a new array or NULL with `message` set. */
json_t *validate_permissions(const json_t *value, char *message, size_t size);

/* Returns the default permissions array (all four, in order). */
json_t *validate_default_permissions(void);

/* Returns 1 when `name` is message, embed, poll or image, else 0. */
int validate_is_action(const char *name);

/* A checked invoke body. Strings and arrays are borrowed from the body. */
struct invoke_payload {
    const char *action;      /* message, embed, poll or image */
    const char *text;        /* NULL when absent */
    const char *alias;       /* NULL when absent */
    const json_t *embed;     /* embed action only */
    const char *question;
    const json_t *options;   /* array of 2-8 strings */
    int multiple_choice;
    long ends_in_minutes;    /* -1 when absent */
    const char *url;
    long w, h, x, y;         /* -1 when absent */
};

/* Checks an invoke body {"action", "payload"}. Returns 0 or -1 with
 * `message` set. */
int validate_invoke(const json_t *body, struct invoke_payload *out,
                    char *message, size_t size);

#endif
