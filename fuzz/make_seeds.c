/* make_seeds.c: writes the fuzz harnesses' seed corpora from the client
 * cases (tests/data/client-cases.json) plus a few hand-made inputs for
 * what the cases do not cover (Retry-After forms, tokens, redirects).
 *
 * Usage: make_seeds CASES_JSON OUTPUT_DIR
 * Creates OUTPUT_DIR/{reply,error_reply,retry_after,server_request,
 * server_auth,server_validate}/seed-NNN. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_library.h"

static const char *out_dir;

static void make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_seeds: cannot create %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

/* Writes `len` bytes to OUTPUT_DIR/corpus/seed-NNN, numbered per corpus.
 * `corpus` must be a string literal, because its pointer is kept. */
static void write_seed(const char *corpus, const char *data, size_t len)
{
    static const char *names[8];
    static int counts[8];
    size_t slot = 0;
    char path[4096];
    FILE *f;

    while (slot < 8 && names[slot] != NULL && strcmp(names[slot], corpus) != 0)
        slot++;
    if (slot == 8) {
        fprintf(stderr, "make_seeds: too many corpora\n");
        exit(1);
    }
    names[slot] = corpus;
    snprintf(path, sizeof path, "%s/%s", out_dir, corpus);
    make_dir(path);
    snprintf(path, sizeof path, "%s/%s/seed-%03d", out_dir, corpus, counts[slot]++);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "make_seeds: cannot write %s\n", path);
        exit(1);
    }
}

static void write_text(const char *corpus, const char *text)
{
    write_seed(corpus, text, strlen(text));
}

/* Writes `value` as compact JSON, then every object inside it, so that
 * parsers of inner objects (a webhook) get seeds of their own shape. */
static void write_json_and_parts(const char *corpus, const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    const char *key;
    const json_t *member;
    size_t index;

    if (text != NULL)
        write_text(corpus, text);
    free(text);
    if (json_is_object(value)) {
        json_object_foreach((json_t *)value, key, member) {
            if (json_is_object(member) || json_is_array(member))
                write_json_and_parts(corpus, member);
        }
    } else if (json_is_array(value)) {
        json_array_foreach(value, index, member) {
            if (json_is_object(member))
                write_json_and_parts(corpus, member);
        }
    }
}

/* Maps a call of the cases to the method word of fuzz_error_reply. */
static const char *method_word(const char *call)
{
    if (strncmp(call, "send_", 5) == 0 || strcmp(call, "invoke") == 0)
        return "INVOKE";
    if (strcmp(call, "create_webhook") == 0 || strcmp(call, "rotate_secret") == 0)
        return "POST";
    if (strcmp(call, "update_webhook") == 0)
        return "PATCH";
    if (strcmp(call, "delete_webhook") == 0)
        return "DELETE";
    return "GET";
}

static void write_reply_seeds(const json_t *replies)
{
    size_t index;
    const json_t *item;
    char seed[8192];

    json_array_foreach(replies, index, item) {
        const json_t *reply = json_object_get(item, "reply");
        const char *body = json_string_value(json_object_get(reply, "body"));
        const char *call = json_string_value(json_object_get(item, "call"));
        json_int_t status = json_integer_value(json_object_get(reply, "status"));
        json_t *parsed;

        if (body == NULL || call == NULL)
            continue;
        parsed = json_loads(body, JSON_DECODE_ANY, NULL);
        if (parsed != NULL)
            write_json_and_parts("reply", parsed);
        json_decref(parsed);

        snprintf(seed, sizeof seed, "%lld %s 30000\n\n\n%s", (long long)status,
                 method_word(call), body);
        write_text("error_reply", seed);
    }
}

/* Hand-made error replies: rate limits with each Retry-After form, with
 * and without a deadline, a redirect, and bodies that quote the token and
 * the secret, which redaction must hide. */
static void write_extra_error_seeds(void)
{
    static const char *const seeds[] = {
        "429 INVOKE 0\n30\n\n{\"error\":\"rate limited\"}",
        "429 INVOKE 30000\n1.5\n\n{\"error\":\"rate limited\"}",
        "429 GET 0\nFri, 04 Dec 2026 20:00:30 GMT\n\n",
        "503 INVOKE 30000\n0\n\n<html>busy</html>",
        "503 GET 0\n\n\n",
        "302 INVOKE 30000\n\nhttps://elsewhere.invalid/x\n",
        ("401 GET 30000\n\n\n{\"error\":\"bad token " FUZZ_TOKEN "\"}"),
        ("401 INVOKE 30000\n\n\n{\"error\":\"bad secret " FUZZ_SECRET_TEXT "\",\"got\":\"" FUZZ_SECRET_TEXT "\"}"),
        ("500 PATCH 30000\n\n\nline one\r\nline two " FUZZ_TOKEN),
        "200 GET 30000\n\n\n[1,2,3]",
        "204 DELETE 30000\n\n\n",
    };

    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        write_text("error_reply", seeds[i]);
}

static void write_retry_after_seeds(void)
{
    static const char *const seeds[] = {
        "1", "0.5", "120", " 3 ", "Fri, 04 Dec 2026 20:00:30 GMT",
        "Friday, 04-Dec-26 20:00:30 GMT", "Fri Dec  4 20:00:30 2026", "soon", "-1",
        "1e3", "0x10", "inf", "99999999999999999999999", "",
    };

    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        write_text("retry_after", seeds[i]);
}

/* Returns the path of `url` (from the first '/' after "://"). */
static const char *url_path(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *path = scheme != NULL ? strchr(scheme + 3, '/') : NULL;
    return path != NULL ? path : "/";
}

/* Writes one server request seed. A management call's token becomes the
 * owner placeholder, which the harness replaces with a valid token. */
static void write_request_seed(const json_t *expect, const char *token)
{
    const char *method = json_string_value(json_object_get(expect, "method"));
    const char *url = json_string_value(json_object_get(expect, "url"));
    const json_t *headers = json_object_get(expect, "headers");
    const json_t *body = json_object_get(expect, "body");
    const char *name;
    const json_t *value;
    char *body_text = NULL;
    char seed[16384];
    size_t len;

    if (method == NULL || url == NULL)
        return;
    len = (size_t)snprintf(seed, sizeof seed, "%s %s\n", method, url_path(url));
    json_object_foreach((json_t *)headers, name, value) {
        const char *text = json_string_value(value);
        if (text == NULL || len >= sizeof seed)
            continue;
        if (strcmp(name, "Authorization") == 0 && token != NULL && strstr(text, token) != NULL)
            text = "Bearer $TOKEN";
        len += (size_t)snprintf(seed + len, sizeof seed - len, "%s: %s\n", name, text);
    }
    if (body != NULL && !json_is_null(body))
        body_text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (len < sizeof seed)
        len += (size_t)snprintf(seed + len, sizeof seed - len, "\n%s",
                                body_text != NULL ? body_text : "");
    if (len < sizeof seed)
        write_seed("server_request", seed, len);

    if (body_text != NULL)
        write_text("server_validate", body_text);
    free(body_text);
}

static void write_request_seeds(const json_t *cases)
{
    const char *token = json_string_value(json_object_get(cases, "token"));
    const json_t *requests = json_object_get(cases, "requests");
    size_t index;
    const json_t *item;

    json_array_foreach(requests, index, item) {
        const json_t *expect = json_object_get(item, "expect_request");
        if (expect != NULL)
            write_request_seed(expect, token);
    }
}

/* Requests the client cases do not make: read-back with and without
 * paging, a member's call, a create that fills the room, a request with a
 * body of the wrong type, and dot segments. */
static void write_extra_request_seeds(void)
{
    static const char *const seeds[] = {
        "GET /api/rooms/ROOM123/messages\nAuthorization: Bearer $MEMBER_TOKEN\n\n",
        "GET /api/rooms/ROOM123/polls\nAuthorization: Bearer $TOKEN\n\n",
        "GET /api/rooms/ROOM123/board\nAuthorization: Bearer $TOKEN\n\n",
        "GET /api/rooms/ROOM123/messages?after=1&limit=2\nAuthorization: Bearer $MEMBER_TOKEN\n\n",
        "GET /api/rooms/ROOM123/polls?limit=1000&after\nAuthorization: Bearer $TOKEN\n\n",
        "GET /api/rooms/ROOM123/board?after=+1&after=2\nAuthorization: Bearer $TOKEN\n\n",
        "GET /api/webhooks/ROOM123\nAuthorization: Bearer $MEMBER_TOKEN\n\n",
        "POST /api/webhooks/ROOM123\nAuthorization: Bearer $TOKEN\nContent-Type: application/json\n\n"
        "{\"label\":\"L\",\"permissions\":[\" Poll\",\"message\",\"poll\"]}",
        "POST /api/webhooks/ROOM123/wh1/invoke\nx-stay-webhook-secret: whk_test_secret_0001\n"
        "Content-Type: text/plain\n\nhello",
        "POST /api/webhooks/../wh1/invoke\nx-stay-webhook-secret: whk_test_secret_0001\n"
        "Content-Type: application/json\n\n{\"action\":\"image\",\"payload\":{\"url\":\"https://x.test/a.png\",\"w\":1,\"h\":2,\"x\":0,\"y\":100000}}",
        "PATCH /api/webhooks/ROOM123/wh1\nAuthorization: Bearer $TOKEN\nContent-Type: application/json\n\n"
        "{\"paused\":true,\"label\":\"caf\\u00e9\"}",
        "GET /api/webhooks/caf%C3%A9/meta/permitted-actions\nAuthorization: Bearer $TOKEN\n\n",
        "DELETE /api/webhooks/team%2Falpha%20beta/wh1\nAuthorization: Bearer $TOKEN\n\n",
        "PUT /api/webhooks/ROOM123/wh1\n\n",
    };

    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        write_text("server_request", seeds[i]);
}

static void write_auth_seeds(void)
{
    static const char *const seeds[] = {
        "Bearer $TOKEN",
        "bearer $TOKEN",
        "Bearer  $TOKEN ",
        "Bearer $TOKENx",
        "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJvd25lciJ9.",
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln",
        "Basic b3duZXI6cGFzcw==",
        "Bearer ",
        "",
    };

    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        write_text("server_auth", seeds[i]);
}

int main(int argc, char **argv)
{
    json_error_t error;
    json_t *cases;

    if (argc != 3) {
        fprintf(stderr, "usage: make_seeds CASES_JSON OUTPUT_DIR\n");
        return 2;
    }
    cases = json_load_file(argv[1], 0, &error);
    if (cases == NULL) {
        fprintf(stderr, "make_seeds: %s: %s (line %d)\n", argv[1], error.text, error.line);
        return 1;
    }
    out_dir = argv[2];
    make_dir(out_dir);

    write_reply_seeds(json_object_get(cases, "replies"));
    write_extra_error_seeds();
    write_retry_after_seeds();
    write_request_seeds(cases);
    write_extra_request_seeds();
    write_auth_seeds();

    json_decref(cases);
    return 0;
}
