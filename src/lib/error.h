/* error.h: construction of stayhooks_error objects (private). */
#ifndef STAYHOOKS_LIB_ERROR_H
#define STAYHOOKS_LIB_ERROR_H

#include "stayhooks.h"

struct stayhooks_error {
    stayhooks_code code;
    long status;
    char *message;
    char *body;
    char *payload_json;
    char *location;
    int delivery_unknown;
    double retry_after; /* seconds; negative when the reply asked for none */
    int attempts;
};

/* Allocates an error of class `code` with a printf-style message. Returns
 * NULL only when out of memory. */
stayhooks_error *stayhooks__error_new(stayhooks_code code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Stores `e` in `*err` when `err` is not NULL, else frees it; returns its
 * code, or STAYHOOKS_ERR_INTERNAL when `e` is NULL (allocation failed). */
int stayhooks__error_raise(stayhooks_error **err, stayhooks_error *e);

/* Shorthand: builds and raises an error in one step. */
int stayhooks__fail(stayhooks_error **err, stayhooks_code code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
