#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_TIMEOUT_MS 30000L

struct buffer {
    char *data;
    size_t len;
};

static size_t append(char *ptr, size_t size, size_t count, void *userdata)
{
    struct buffer *buf = userdata;
    size_t n = size * count;
    char *grown = realloc(buf->data, buf->len + n + 1);

    if (grown == NULL)
        return 0;
    memcpy(grown + buf->len, ptr, n);
    buf->data = grown;
    buf->len += n;
    buf->data[buf->len] = '\0';
    return n;
}

/* Keeps only the header block of the last reply (after a 100 Continue). */
static size_t append_header(char *ptr, size_t size, size_t count, void *userdata)
{
    struct buffer *buf = userdata;

    if (count * size >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
        buf->len = 0;
    return append(ptr, size, count, userdata);
}

int test_http(const char *method, const char *url, const char *const *headers,
              const char *body, size_t body_len, struct test_http_response *out)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *list = NULL;
    struct buffer data = { NULL, 0 };
    struct buffer head = { NULL, 0 };
    CURLcode code;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (curl == NULL)
        return -1;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
        list = curl_slist_append(list, headers[i]);
    /* curl adds "Expect: 100-continue" for large bodies. The tests need
     * the server's reply to the body itself, so the header is removed. */
    list = curl_slist_append(list, "Expect:");

    curl_easy_setopt(curl, CURLOPT_URL, url);
    /* Keeps "." and ".." segments, which tests use as room and webhook IDs. */
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &data);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &head);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, HTTP_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (body != NULL) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(body_len == (size_t)-1 ? strlen(body) : body_len));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    } else if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }

    code = curl_easy_perform(curl);
    if (code != CURLE_OK) {
        fprintf(stderr, "test_http: %s %s failed: %s\n", method, url, curl_easy_strerror(code));
        goto done;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = data.data != NULL ? data.data : strdup("");
    out->body_len = data.len;
    out->headers = head.data != NULL ? head.data : strdup("");
    data.data = NULL;
    head.data = NULL;
    rc = 0;

done:
    free(data.data);
    free(head.data);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return rc;
}

char *test_http_header(const struct test_http_response *response, const char *name)
{
    size_t name_len = strlen(name);
    const char *line = response->headers;

    while (line != NULL && *line != '\0') {
        const char *end = strstr(line, "\r\n");
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        if (len > name_len && line[name_len] == ':' && strncasecmp(line, name, name_len) == 0) {
            const char *value = line + name_len + 1;
            while (*value == ' ')
                value++;
            return strndup(value, (size_t)(line + len - value));
        }
        line = end != NULL ? end + 2 : NULL;
    }
    return NULL;
}

void test_http_response_free(struct test_http_response *response)
{
    if (response == NULL)
        return;
    free(response->body);
    free(response->headers);
    memset(response, 0, sizeof *response);
}

char *test_percent_encode(const char *text)
{
    static const char digits[] = "0123456789ABCDEF";
    char *out = malloc(strlen(text) * 3 + 1);
    size_t o = 0;

    if (out == NULL)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = digits[*p >> 4];
            out[o++] = digits[*p & 15];
        }
    }
    out[o] = '\0';
    return out;
}
