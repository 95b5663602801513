/* text.c: trimming, copying, UTF-8 validation and control-character checks. */
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *stayhooks__strdup(const char *s)
{
    if (s == NULL)
        return NULL;

    size_t len = strlen(s);
    char *copy = malloc(len + 1);
    if (copy != NULL)
        memcpy(copy, s, len + 1);
    return copy;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char *stayhooks__trim(const char *s)
{
    const char *start = s;
    while (is_space((unsigned char)*start))
        start++;

    size_t len = strlen(start);
    while (len > 0 && is_space((unsigned char)start[len - 1]))
        len--;

    char *copy = malloc(len + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, start, len);
    copy[len] = '\0';
    return copy;
}

/* Returns the length of the UTF-8 sequence at `p`, or 0 when it is invalid. */
static size_t utf8_sequence_length(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;

    size_t len;
    unsigned long min_code;
    unsigned long code;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        min_code = 0x80;
        code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        min_code = 0x800;
        code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        min_code = 0x10000;
        code = c & 0x07;
    } else {
        return 0;
    }

    for (size_t i = 1; i < len; i++) {
        /* The NUL terminator fails this test too, so a cut-off sequence at
         * the end of the string is caught here. */
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        code = (code << 6) | (p[i] & 0x3F);
    }

    if (code < min_code || code > 0x10FFFF)
        return 0;
    if (code >= 0xD800 && code <= 0xDFFF)
        return 0;
    return len;
}

int stayhooks__utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0') {
        size_t len = utf8_sequence_length(p);
        if (len == 0)
            return 0;
        p += len;
    }
    return 1;
}

/* Returns the code point of the valid `len`-byte sequence at `p`. */
static unsigned long utf8_code_point(const unsigned char *p, size_t len)
{
    static const unsigned char lead_mask[] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
    unsigned long code = p[0] & lead_mask[len];

    for (size_t i = 1; i < len; i++)
        code = (code << 6) | (p[i] & 0x3F);
    return code;
}

void stayhooks__flatten_text(char *s)
{
    const unsigned char *from = (const unsigned char *)s;
    unsigned char *to = (unsigned char *)s;

    while (*from != '\0') {
        size_t len = utf8_sequence_length(from);
        if (len == 0) {
            *to++ = '?';
            from++;
            continue;
        }

        unsigned long code = utf8_code_point(from, len);
        if (code < 0x20 || (code >= 0x7F && code <= 0x9F) || code == 0x2028 || code == 0x2029) {
            *to++ = ' ';
            from += len;
            continue;
        }
        memmove(to, from, len);
        to += len;
        from += len;
    }
    *to = '\0';
}

int stayhooks__has_control_char(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return 1;
    }
    return 0;
}

int stayhooks__has_prefix_nocase(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}
