/* url.c: checking base and invoke URLs, and building request URLs from
 * the base URL, prefix and IDs. */
#include "url.h"

#include "error.h"
#include "text.h"

#include <curl/curl.h>

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

int stayhooks__check_endpoint_url(const char *url, const char *what, const char *shown,
                                  stayhooks_error **err)
{
    CURLU *u = NULL;
    char *port = NULL;
    int rc = STAYHOOKS_OK;

    /* Messages quote the URL only up to its first '?' or '#', because a
     * query such as "?secret=..." may carry a credential. */
    int shown_length = (int)strcspn(shown, "?#");
    const char *elided = shown[shown_length] == '?'   ? "?..."
                         : shown[shown_length] == '#' ? "#..."
                                                      : "";

    /* libcurl accepts "http:/h" and "http:///h" as host h, and a scheme of
     * its own choosing, so the scheme and "//" are checked here first. */
    if (!stayhooks__has_prefix_nocase(url, "http://") &&
        !stayhooks__has_prefix_nocase(url, "https://"))
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "%s \"%.*s%s\" must start with http:// or https://", what,
                               shown_length, shown, elided);
    if (!stayhooks__is_http_url(url))
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "%s \"%.*s%s\" has no host", what,
                               shown_length, shown, elided);

    /* An '@' in the authority ends a user name or password. It is checked
     * before any message quotes the URL, and this message does not. */
    const char *authority = strstr(url, "://") + 3;
    size_t authority_len = strcspn(authority, "/?#");
    if (memchr(authority, '@', authority_len) != NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "%s must not contain a user name or password (\"user:password@\")",
                               what);

    /* The first '?' or '#' starts the query or the fragment. libcurl
     * reports no fragment for an empty one ("http://h/#"), so the text is
     * scanned instead. */
    const char *delimiter = url + strcspn(url, "?#");
    if (*delimiter == '?')
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "%s \"%.*s%s\" must not have a query; remove the part from "
                               "\"?\" on",
                               what, shown_length, shown, elided);
    if (*delimiter == '#')
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "%s \"%.*s%s\" must not have a fragment; remove the part from "
                               "\"#\" on",
                               what, shown_length, shown, elided);

    /* libcurl judges the host, the port number and the path characters. */
    u = curl_url();
    if (u == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
    CURLUcode parsed = curl_url_set(u, CURLUPART_URL, url, 0);
    if (parsed != CURLUE_OK) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "%s \"%s\" is invalid: %s", what,
                             shown, curl_url_strerror(parsed));
        goto done;
    }
    /* libcurl takes port 0, which no server listens on. */
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && strcmp(port, "0") == 0) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                             "%s \"%s\" has port 0; use a port from 1 to 65535", what, shown);
        goto done;
    }

done:
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
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
