/* error.c: the error object returned by every fallible call. */
#include "error.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define VPRINTF_LIKE(fmt_index) __attribute__((format(printf, fmt_index, 0)))
#else
#define VPRINTF_LIKE(fmt_index)
#endif

VPRINTF_LIKE(1)
static char *format_message(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (len < 0)
        return NULL;

    char *text = malloc((size_t)len + 1);
    if (text == NULL)
        return NULL;
    vsnprintf(text, (size_t)len + 1, fmt, ap);
    return text;
}

VPRINTF_LIKE(2)
static stayhooks_error *error_vnew(stayhooks_code code, const char *fmt, va_list ap)
{
    stayhooks_error *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return NULL;

    e->code = code;
    e->retry_after = -1.0;
    e->message = format_message(fmt, ap);
    if (e->message == NULL) {
        free(e);
        return NULL;
    }
    /* A message is one line of text, and parts of it, such as a server's
     * error member or jansson's error text, quote reply bytes. */
    stayhooks__flatten_text(e->message);
    return e;
}

stayhooks_error *stayhooks__error_new(stayhooks_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    stayhooks_error *e = error_vnew(code, fmt, ap);
    va_end(ap);
    return e;
}

int stayhooks__error_raise(stayhooks_error **err, stayhooks_error *e)
{
    if (e == NULL)
        return STAYHOOKS_ERR_INTERNAL;

    int code = (int)e->code;
    if (err != NULL)
        *err = e;
    else
        stayhooks_error_free(e);
    return code;
}

int stayhooks__fail(stayhooks_error **err, stayhooks_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    stayhooks_error *e = error_vnew(code, fmt, ap);
    va_end(ap);
    return stayhooks__error_raise(err, e);
}

stayhooks_code stayhooks_error_code(const stayhooks_error *err)
{
    return err != NULL ? err->code : STAYHOOKS_ERR_INTERNAL;
}

const char *stayhooks_code_name(stayhooks_code code)
{
    switch (code) {
    case STAYHOOKS_OK:
        return "ok";
    case STAYHOOKS_ERR_VALIDATION:
        return "validation";
    case STAYHOOKS_ERR_AUTH:
        return "auth";
    case STAYHOOKS_ERR_HTTP:
        return "http";
    case STAYHOOKS_ERR_INVALID_RESPONSE:
        return "invalid_response";
    case STAYHOOKS_ERR_NETWORK:
        return "network";
    case STAYHOOKS_ERR_INTERNAL:
        return "internal";
    }
    return "internal";
}

long stayhooks_error_status(const stayhooks_error *err)
{
    return err != NULL ? err->status : 0;
}

const char *stayhooks_error_message(const stayhooks_error *err)
{
    return err != NULL ? err->message : "no error object";
}

const char *stayhooks_error_body(const stayhooks_error *err)
{
    return err != NULL ? err->body : NULL;
}

const char *stayhooks_error_payload_json(const stayhooks_error *err)
{
    return err != NULL ? err->payload_json : NULL;
}

const char *stayhooks_error_location(const stayhooks_error *err)
{
    return err != NULL ? err->location : NULL;
}

int stayhooks_error_delivery_unknown(const stayhooks_error *err)
{
    return err != NULL ? err->delivery_unknown : 0;
}

double stayhooks_error_retry_after(const stayhooks_error *err)
{
    return err != NULL ? err->retry_after : -1.0;
}

int stayhooks_error_attempts(const stayhooks_error *err)
{
    return err != NULL ? err->attempts : 0;
}

void stayhooks_error_free(stayhooks_error *err)
{
    if (err == NULL)
        return;
    free(err->message);
    free(err->body);
    free(err->payload_json);
    free(err->location);
    free(err);
}
