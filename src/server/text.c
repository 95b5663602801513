#define _POSIX_C_SOURCE 200809L
#include "text.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *text_percent_decode(const char *src, size_t len)
{
    char *out = malloc(len + 1);
    size_t o = 0;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (src[i] != '%') {
            out[o++] = src[i];
            continue;
        }
        if (i + 2 >= len)
            goto fail;
        int hi = hex_value(src[i + 1]);
        int lo = hi < 0 ? -1 : hex_value(src[i + 2]);
        if (lo < 0 || (hi == 0 && lo == 0))
            goto fail;
        out[o++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[o] = '\0';
    return out;

fail:
    free(out);
    return NULL;
}

char *text_percent_encode(const char *src)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t len = strlen(src);
    char *out = malloc(len * 3 + 1);
    size_t o = 0;

    if (out == NULL)
        return NULL;

    /* curl removes "." and ".." path segments before sending, so a room
     * named ".." would vanish from the URL. curl 7.88 keeps "%2E" segments,
     * and the server decodes them back to the name. NOTE: browsers and later
     * curl releases treat "%2E" like "." and still remove these segments. */
    if (strcmp(src, ".") == 0 || strcmp(src, "..") == 0) {
        for (size_t i = 0; i < len; i++) {
            memcpy(out + o, "%2E", 3);
            o += 3;
        }
        out[o] = '\0';
        return out;
    }

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                    c == '_' || c == '~';
        if (plain) {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = '%';
        out[o++] = digits[c >> 4];
        out[o++] = digits[c & 15];
    }
    out[o] = '\0';
    return out;
}

size_t text_codepoints(const char *s)
{
    size_t n = 0;

    /* Continuation bytes (10xxxxxx) do not start a code point. */
    for (; *s != '\0'; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    }
    return n;
}

/* Returns the length of the valid UTF-8 sequence at `s` (1 to 4), or 0
 * when it is invalid: a stray continuation byte, a truncated or overlong
 * sequence, a surrogate or a code point above U+10FFFF. Never reads past
 * the terminating NUL, because NUL is not a continuation byte. */
static size_t utf8_sequence_length(const unsigned char *s)
{
    unsigned long code_point;
    unsigned long min;
    size_t len;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        code_point = s[0] & 0x1Fu;
        min = 0x80;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        code_point = s[0] & 0x0Fu;
        min = 0x800;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        code_point = s[0] & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }

    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        code_point = (code_point << 6) | (s[i] & 0x3Fu);
    }
    if (code_point < min || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF))
        return 0;
    return len;
}

void text_replace_invalid_utf8(char *s)
{
    unsigned char *p = (unsigned char *)s;

    while (*p != '\0') {
        size_t len = utf8_sequence_length(p);
        if (len == 0) {
            *p++ = '?';
            continue;
        }
        p += len;
    }
}

int text_has_content(const char *s)
{
    for (; *s != '\0'; s++) {
        if (strchr(" \t\r\n\f\v", *s) == NULL)
            return 1;
    }
    return 0;
}

void text_iso8601(const struct timespec *t, char *out, size_t size)
{
    struct tm tm;
    char stamp[24];

    gmtime_r(&t->tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%03ldZ", stamp, t->tv_nsec / 1000000L);
}

int text_random_id(const char *prefix, char *out, size_t size)
{
    unsigned char raw[12];
    size_t plen = strlen(prefix);

    if (size < plen + sizeof raw * 2 + 1)
        return -1;
    if (RAND_bytes(raw, (int)sizeof raw) != 1)
        return -1;
    memcpy(out, prefix, plen);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + plen + i * 2, 3, "%02x", raw[i]);
    return 0;
}

int text_is_http_url(const char *s)
{
    const char *rest;

    if (strncasecmp(s, "http://", 7) == 0)
        rest = s + 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        rest = s + 8;
    else
        return 0;

    /* The authority must not be empty: "https:///path" has no host. */
    if (*rest == '\0' || *rest == '/' || *rest == '?' || *rest == '#')
        return 0;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7F)
            return 0;
    }
    return 1;
}
