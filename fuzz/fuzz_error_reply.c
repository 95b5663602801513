/* fuzz_error_reply.c: libFuzzer harness for how the library judges one
 * finished HTTP attempt: the error body, Retry-After and Location of a
 * failed reply, the retry decision, redaction, and the JSON of a 2xx reply.
 *
 * Input, one field per line:
 *   STATUS METHOD DEADLINE_MS   e.g. "429 INVOKE 0" (INVOKE is a POST
 *                               with the webhook secret; DEADLINE_MS 0
 *                               means no deadline, else the default)
 *   Retry-After value           an empty line sends no header
 *   Location value              an empty line sends no header
 *   body                        the rest of the input, may be empty
 *
 * The harness aborts when the outcome breaks the library's contract: a
 * retry that waits longer than max_delay_ms without a deadline, an error
 * message with a line break, or the token (or an invoke's secret) in any
 * error text. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "request.h"
#include "fuzz_library.h"
#include "stayhooks.h"

#define FUZZ_URL "http://127.0.0.1:9/api/webhooks/R1/W1/invoke"

/* Clients are made once: creating one starts libcurl, and no request is
 * ever sent, because the harness fills in each attempt's reply itself. */
static stayhooks_client *with_deadline;
static stayhooks_client *without_deadline;

static stayhooks_client *make_client(long deadline_ms)
{
    stayhooks_options opts;
    stayhooks_client *client = NULL;

    stayhooks_options_init(&opts);
    opts.base_url = "http://127.0.0.1:9";
    opts.token = FUZZ_TOKEN;
    opts.retry.max_attempts = 3;
    opts.retry.base_delay_ms = 200;
    opts.retry.max_delay_ms = 5000;
    opts.retry.deadline_ms = deadline_ms;
    if (stayhooks_client_new(&opts, &client, NULL) != STAYHOOKS_OK)
        abort();
    return client;
}

/* Copies the next line of [*p, end) into a new string and moves *p past
 * its newline. Returns NULL for an empty line. */
static char *take_line(const char **p, const char *end)
{
    const char *start = *p;
    const char *nl = memchr(start, '\n', (size_t)(end - start));
    const char *stop = nl != NULL ? nl : end;
    char *line = NULL;

    *p = nl != NULL ? nl + 1 : end;
    if (stop == start)
        return NULL;
    line = malloc((size_t)(stop - start) + 1);
    if (line == NULL)
        abort();
    memcpy(line, start, (size_t)(stop - start));
    line[stop - start] = '\0';
    return line;
}

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

/* `secret` is the call's webhook secret, NULL for a management call, which
 * does not know one. */
static void check_error(const stayhooks_error *e, long status, const char *secret)
{
    const char *texts[4];

    FUZZ_CHECK(e != NULL);
    FUZZ_CHECK(e->code != STAYHOOKS_OK);
    FUZZ_CHECK(e->message != NULL);
    FUZZ_CHECK(strchr(e->message, '\n') == NULL && strchr(e->message, '\r') == NULL);
    FUZZ_CHECK(e->attempts == 1);
    if (e->code == STAYHOOKS_ERR_AUTH)
        FUZZ_CHECK(status == 401 || status == 403);
    if (e->code == STAYHOOKS_ERR_HTTP || e->code == STAYHOOKS_ERR_AUTH)
        FUZZ_CHECK(e->status == status);

    texts[0] = e->message;
    texts[1] = e->body;
    texts[2] = e->payload_json;
    texts[3] = e->location;
    for (size_t i = 0; i < 4; i++) {
        FUZZ_CHECK(!contains(texts[i], FUZZ_TOKEN));
        if (secret != NULL)
            FUZZ_CHECK(!contains(texts[i], secret));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *end = p + size;
    char *first = take_line(&p, end);
    char method[16] = "GET";
    long status = 200;
    long deadline = 0;
    stayhooks_client *client;
    stayhooks__request req;
    stayhooks__call call;
    stayhooks_error *err = NULL;
    json_t *reply = NULL;
    long wait_ms = 0;
    int rc;

    if (with_deadline == NULL) {
        with_deadline = make_client(30000);
        without_deadline = make_client(-1); /* a negative deadline means none */
    }
    if (first != NULL)
        sscanf(first, "%ld %15s %ld", &status, method, &deadline);
    free(first);
    if (status < 100 || status > 599)
        status = 200;
    client = deadline == 0 ? without_deadline : with_deadline;

    memset(&req, 0, sizeof req);
    req.url = (char *)FUZZ_URL;
    if (strcmp(method, "INVOKE") == 0) {
        req.method = "POST";
        req.secret = FUZZ_SECRET_TEXT;
    } else if (strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0 ||
               strcmp(method, "DELETE") == 0) {
        req.method = method;
    } else {
        req.method = "GET";
    }

    if (stayhooks__call_begin(client, &req, &call, NULL) != STAYHOOKS_OK)
        abort();
    call.attempt = 1;
    call.x.status = status;
    call.x.retry_after = take_line(&p, end);
    call.x.location = take_line(&p, end);
    call.x.reply_len = (size_t)(end - p);
    call.x.reply = malloc(call.x.reply_len + 1);
    if (call.x.reply == NULL)
        abort();
    memcpy(call.x.reply, p, call.x.reply_len);
    call.x.reply[call.x.reply_len] = '\0';

    rc = stayhooks__call_finish_attempt(client, &call, &reply, &wait_ms, &err);
    if (rc == STAYHOOKS_OK) {
        FUZZ_CHECK(status >= 200 && status < 300);
        FUZZ_CHECK(json_is_object(reply));
        FUZZ_CHECK(err == NULL);
    } else if (rc == STAYHOOKS__CALL_RETRY) {
        FUZZ_CHECK(wait_ms >= 1);
        FUZZ_CHECK(err == NULL);
        if (deadline == 0)
            FUZZ_CHECK(wait_ms <= client->retry.max_delay_ms);
        else
            FUZZ_CHECK(wait_ms <= client->retry.deadline_ms);
    } else {
        FUZZ_CHECK(reply == NULL);
        check_error(err, status, req.secret);
    }

    json_decref(reply);
    stayhooks_error_free(err);
    stayhooks__call_clear(&call);
    return 0;
}
