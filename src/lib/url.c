/* url.c: building request URLs from the base URL, prefix and IDs. */
#include "url.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

char *stayhooks__percent_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(s);
    char *out = malloc(len * 3 + 1);
    if (out == NULL)
        return NULL;

    char *w = out;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (is_unreserved(*p)) {
            *w++ = (char)*p;
        } else {
            *w++ = '%';
            *w++ = hex[*p >> 4];
            *w++ = hex[*p & 0x0F];
        }
    }
    *w = '\0';
    return out;
}

static int is_prefix_junk(char c)
{
    return c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
           c == '\f' || c == '\v';
}

char *stayhooks__normalize_prefix(const char *prefix)
{
    if (prefix == NULL)
        return stayhooks__strdup("/api");

    const char *start = prefix;
    while (*start != '\0' && is_prefix_junk(*start))
        start++;
    size_t len = strlen(start);
    while (len > 0 && is_prefix_junk(start[len - 1]))
        len--;

    char *out = malloc(len + 2);
    if (out == NULL)
        return NULL;
    if (len == 0) {
        out[0] = '\0';
        return out;
    }
    out[0] = '/';
    memcpy(out + 1, start, len);
    out[len + 1] = '\0';
    return out;
}

int stayhooks__is_http_url(const char *url)
{
    const char *rest;
    if (stayhooks__has_prefix_nocase(url, "http://"))
        rest = url + strlen("http://");
    else if (stayhooks__has_prefix_nocase(url, "https://"))
        rest = url + strlen("https://");
    else
        return 0;

    /* The host must not be empty: "http://" and "http:///x" are rejected. */
    return *rest != '\0' && *rest != '/' && *rest != '?' && *rest != '#';
}

char *stayhooks__normalize_base_url(const char *base_url)
{
    char *out = stayhooks__trim(base_url);
    if (out == NULL)
        return NULL;

    size_t len = strlen(out);
    while (len > 0 && out[len - 1] == '/')
        out[--len] = '\0';
    return out;
}

char *stayhooks__webhooks_url(const char *base_url, const char *prefix,
                              const char *room_id, const char *webhook_id,
                              const char *suffix)
{
    char *room = NULL;
    char *hook = NULL;
    char *url = NULL;

    room = stayhooks__percent_encode(room_id);
    if (room == NULL)
        goto done;
    if (webhook_id != NULL) {
        hook = stayhooks__percent_encode(webhook_id);
        if (hook == NULL)
            goto done;
    }

    size_t size = strlen(base_url) + strlen(prefix) + strlen("/webhooks/") +
                  strlen(room) + (hook != NULL ? strlen(hook) + 1 : 0) +
                  (suffix != NULL ? strlen(suffix) : 0) + 1;
    url = malloc(size);
    if (url == NULL)
        goto done;
    snprintf(url, size, "%s%s/webhooks/%s%s%s%s", base_url, prefix, room,
             hook != NULL ? "/" : "", hook != NULL ? hook : "",
             suffix != NULL ? suffix : "");

done:
    free(room);
    free(hook);
    return url;
}
