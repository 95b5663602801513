/* request.c: headers, dry-run recording, the retry loop and turning a
 * failed exchange into an error object. */
#define _POSIX_C_SOURCE 200809L

#include "request.h"

#include "error.h"
#include "log.h"
#include "redact.h"
#include "retry.h"
#include "text.h"
#include "transport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef stayhooks__request_headers request_headers;

static int build_headers(const stayhooks_client *c, const stayhooks__request *req,
                         int has_body, request_headers *h)
{
    h->count = 0;
    h->authorization = NULL;
    h->items[h->count++] = (stayhooks__header){ "Accept", "application/json" };
    h->items[h->count++] = (stayhooks__header){ "User-Agent", c->user_agent };
    if (has_body)
        h->items[h->count++] = (stayhooks__header){ "Content-Type", "application/json" };

    if (req->secret != NULL) {
        h->items[h->count++] = (stayhooks__header){ "x-stay-webhook-secret", req->secret };
        return 1;
    }

    size_t size = strlen("Bearer ") + strlen(c->token) + 1;
    h->authorization = malloc(size);
    if (h->authorization == NULL)
        return 0;
    snprintf(h->authorization, size, "Bearer %s", c->token);
    h->items[h->count++] = (stayhooks__header){ "Authorization", h->authorization };
    return 1;
}

static void free_headers(request_headers *h)
{
    if (h->authorization != NULL) {
        volatile char *p = h->authorization;
        while (*p != '\0')
            *p++ = '\0';
    }
    free(h->authorization);
    h->authorization = NULL;
}

/* Records the request as {"method", "url", "headers", "body"} with the
 * token and secret redacted wherever they occur, as in log lines: the URL
 * and the body may carry them too. */
static int record_dry_run(stayhooks_client *c, const stayhooks__request *req,
                          const request_headers *h, const json_t *body)
{
    int ok = 0;
    const char *hidden[2] = { c->token, req->secret };
    json_t *headers = json_object();
    json_t *record = json_object();
    json_t *clean = NULL;
    if (headers == NULL || record == NULL)
        goto done;

    for (size_t i = 0; i < h->count; i++) {
        const char *shown = stayhooks__redact_header(h->items[i].name, h->items[i].value);
        if (json_object_set_new(headers, h->items[i].name, json_string(shown)) != 0)
            goto done;
    }
    if (json_object_set_new(record, "method", json_string(req->method)) != 0 ||
        json_object_set_new(record, "url", json_string(req->url)) != 0 ||
        json_object_set(record, "headers", headers) != 0 ||
        json_object_set_new(record, "body", body != NULL ? json_deep_copy(body) : json_null()) != 0)
        goto done;

    clean = stayhooks__redact_json(record, hidden, 2);
    if (clean == NULL)
        goto done;
    char *text = json_dumps(clean, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL)
        goto done;
    free(c->last_request);
    c->last_request = text;
    ok = 1;

done:
    json_decref(headers);
    json_decref(record);
    json_decref(clean);
    return ok;
}

long stayhooks__monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int is_success(const stayhooks__exchange *x)
{
    return x->result == CURLE_OK && !x->too_large && x->status >= 200 && x->status < 300;
}

/* Returns 1 for the libcurl results of a certificate that was rejected
 * or could not be checked: the same certificate comes back on every
 * attempt. */
static int is_certificate_failure(CURLcode result)
{
    switch (result) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return 1;
    default:
        return 0;
    }
}

static stayhooks__attempt_outcome outcome_of(const stayhooks__exchange *x)
{
    stayhooks__attempt_outcome o = { 0, 0, 0, 0, -1.0, 0 };
    if (x->too_large) {
        o.status = x->status;
        return o;
    }
    if (x->result != CURLE_OK || x->status == 0) {
        o.network_error = 1;
        o.nothing_sent = x->nothing_sent;
        o.delivery_unknown = x->fully_sent;
        o.certificate_failed = is_certificate_failure(x->result);
        return o;
    }
    o.status = x->status;
    o.retry_after = stayhooks__retry_after_parse(x->retry_after, time(NULL));
    return o;
}

/* Replaces CR and LF so that a raw body can serve as a one-line message. */
static void flatten_lines(char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\r' || *s == '\n')
            *s = ' ';
    }
}

static int is_blank_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    }
    return 1;
}

static stayhooks_error *network_error(const stayhooks_client *c, const stayhooks__request *req,
                                      const stayhooks__exchange *x)
{
    const char *detail = x->curl_error[0] != '\0' ? x->curl_error : curl_easy_strerror(x->result);
    stayhooks_error *e;

    if (x->fully_sent) {
        e = stayhooks__error_new(STAYHOOKS_ERR_NETWORK,
                                 "%s %s: no reply after the request was sent (%s); "
                                 "the server may have acted on it%s",
                                 req->method, req->url, detail,
                                 strcmp(req->method, "POST") == 0 ? ", so it was not retried"
                                                                  : "");
        if (e != NULL)
            e->delivery_unknown = 1;
    } else if (x->result == CURLE_OPERATION_TIMEDOUT) {
        e = stayhooks__error_new(STAYHOOKS_ERR_NETWORK, "%s %s timed out: %s", req->method,
                                 req->url, detail);
    } else {
        e = stayhooks__error_new(STAYHOOKS_ERR_NETWORK, "%s %s failed: %s", req->method,
                                 req->url, detail);
    }
    (void)c;
    return e;
}

/* Builds the error for a reply with a non-2xx status. */
static stayhooks_error *status_error(const stayhooks__request *req, const stayhooks__exchange *x)
{
    stayhooks_code code = (x->status == 401 || x->status == 403) ? STAYHOOKS_ERR_AUTH
                                                                  : STAYHOOKS_ERR_HTTP;
    stayhooks_error *e = NULL;
    json_t *parsed = NULL;
    int has_body = x->reply != NULL && x->reply_len > 0;

    if (has_body)
        parsed = json_loadb(x->reply, x->reply_len, JSON_DECODE_ANY, NULL);

    const char *server_message = NULL;
    json_t *member = json_is_object(parsed) ? json_object_get(parsed, "error") : NULL;
    if (json_is_string(member) && json_string_length(member) > 0)
        server_message = json_string_value(member);

    if (server_message != NULL) {
        e = stayhooks__error_new(code, "%s", server_message);
    } else if (has_body && !is_blank_text(x->reply, x->reply_len)) {
        e = stayhooks__error_new(code, "%s", x->reply);
    } else if (x->status >= 300 && x->status < 400) {
        e = stayhooks__error_new(code, "HTTP %ld redirect from %s to %s was not followed",
                                 x->status, req->url,
                                 x->location != NULL ? x->location : "(no Location header)");
    } else {
        e = stayhooks__error_new(code, "HTTP %ld with an empty body from %s %s", x->status,
                                 req->method, req->url);
    }
    if (e == NULL)
        goto done;

    flatten_lines(e->message);
    e->status = x->status;
    if (has_body) {
        e->body = stayhooks__strdup(x->reply);
        if (e->body == NULL)
            goto fail;
    }
    if (parsed != NULL) {
        e->payload_json = json_dumps(parsed, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        if (e->payload_json == NULL)
            goto fail;
    }
    if (x->location != NULL && x->status >= 300 && x->status < 400) {
        e->location = stayhooks__strdup(x->location);
        if (e->location == NULL)
            goto fail;
    }
    goto done;

fail:
    stayhooks_error_free(e);
    e = NULL;
done:
    json_decref(parsed);
    return e;
}

static stayhooks_error *exchange_error(const stayhooks_client *c, const stayhooks__request *req,
                                       const stayhooks__exchange *x)
{
    if (x->too_large) {
        stayhooks_error *e = stayhooks__error_new(
            STAYHOOKS_ERR_INVALID_RESPONSE,
            "reply to %s %s is larger than the limit of %zu bytes (max_response_bytes)",
            req->method, req->url, c->max_response_bytes);
        if (e != NULL)
            e->status = x->status;
        return e;
    }
    if (x->result != CURLE_OK || x->status == 0)
        return network_error(c, req, x);
    return status_error(req, x);
}

/* Replaces the token and secret in every text field of `e`. Returns 0 when
 * out of memory. */
static int redact_error(stayhooks_error *e, const char *token, const char *secret)
{
    const char *hidden[2] = { token, secret };
    char **fields[4] = { &e->message, &e->body, &e->payload_json, &e->location };
    for (size_t i = 0; i < 4; i++) {
        if (*fields[i] == NULL)
            continue;
        char *clean = stayhooks__redact_text(*fields[i], hidden, 2);
        if (clean == NULL)
            return 0;
        free(*fields[i]);
        *fields[i] = clean;
    }
    return 1;
}

static int parse_success(const stayhooks__request *req, const stayhooks__exchange *x,
                         json_t **reply, stayhooks_error **err)
{
    if (x->reply_len == 0 || is_blank_text(x->reply, x->reply_len)) {
        *reply = json_object();
        return *reply != NULL ? STAYHOOKS_OK
                              : stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
    }

    json_error_t jerr;
    json_t *parsed = json_loadb(x->reply, x->reply_len, JSON_DECODE_ANY, &jerr);
    if (parsed == NULL || !json_is_object(parsed)) {
        json_decref(parsed);
        stayhooks_error *e = stayhooks__error_new(
            STAYHOOKS_ERR_INVALID_RESPONSE, "HTTP %ld reply to %s %s is not a JSON object%s%s",
            x->status, req->method, req->url, parsed == NULL ? ": " : "",
            parsed == NULL ? jerr.text : "");
        if (e != NULL) {
            e->status = x->status;
            e->body = stayhooks__strdup(x->reply);
        }
        return stayhooks__error_raise(err, e);
    }
    *reply = parsed;
    return STAYHOOKS_OK;
}

static const char *describe_outcome(const stayhooks__attempt_outcome *o, char *buf, size_t size)
{
    if (o->network_error)
        snprintf(buf, size, "connection failed");
    else
        snprintf(buf, size, "HTTP %ld", o->status);
    return buf;
}

int stayhooks__call_begin(stayhooks_client *c, const stayhooks__request *req,
                          stayhooks__call *call, stayhooks_error **err)
{
    memset(call, 0, sizeof(*call));
    call->req = req;

    if (req->secret == NULL && c->token == NULL) {
        stayhooks_error *e = stayhooks__error_new(STAYHOOKS_ERR_AUTH,
                                                  "%s %s needs a bearer token: set "
                                                  "options.token, or STAYHERE_TOKEN for "
                                                  "stayhooks_client_new_from_env()",
                                                  req->method, req->url);
        if (e != NULL)
            e->status = 401;
        return stayhooks__error_raise(err, e);
    }

    /* A body goes out only when it has at least one member. */
    const json_t *body = (req->body != NULL && json_object_size(req->body) > 0) ? req->body
                                                                                : NULL;
    if (body != NULL) {
        call->body_text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (call->body_text == NULL)
            return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "could not encode the body");
    }
    if (!build_headers(c, req, body != NULL, &call->headers))
        return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");

    if (c->dry_run) {
        call->dry_run_done = 1;
        return record_dry_run(c, req, &call->headers, body)
                   ? STAYHOOKS_OK
                   : stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
    }

    call->secrets[0] = req->secret;
    call->x.method = req->method;
    call->x.url = req->url;
    call->x.body = call->body_text;
    call->x.headers = call->headers.items;
    call->x.header_count = call->headers.count;
    call->x.secrets = call->secrets;
    call->x.secret_count = 1;
    call->start_ms = stayhooks__monotonic_ms();
    return STAYHOOKS_OK;
}

void stayhooks__call_next_attempt(stayhooks_client *c, stayhooks__call *call)
{
    const stayhooks_retry_policy *policy = &c->retry;

    call->attempt++;
    call->x.timeout_ms = c->timeout_ms;
    if (policy->deadline_ms > 0) {
        long left = policy->deadline_ms - (stayhooks__monotonic_ms() - call->start_ms);
        if (left < call->x.timeout_ms)
            call->x.timeout_ms = left > 1 ? left : 1;
    }
}

int stayhooks__call_finish_attempt(stayhooks_client *c, stayhooks__call *call, json_t **reply,
                                   long *wait_ms, stayhooks_error **err)
{
    const stayhooks__request *req = call->req;
    const stayhooks__exchange *x = &call->x;
    const stayhooks_retry_policy *policy = &c->retry;
    int rc;

    *reply = NULL;
    *wait_ms = 0;
    if (is_success(x)) {
        stayhooks_error *e = NULL;

        rc = parse_success(req, x, reply, &e);
        if (rc == STAYHOOKS_OK)
            return rc;
        /* A 2xx body that is not JSON is kept in the error, and it may echo
         * the token or the secret like any other reply. */
        if (e != NULL) {
            e->attempts = call->attempt;
            if (!redact_error(e, c->token, req->secret)) {
                stayhooks_error_free(e);
                e = NULL;
            }
        }
        return stayhooks__error_raise(err, e);
    }

    stayhooks__attempt_outcome outcome = outcome_of(x);
    char reason[64];
    describe_outcome(&outcome, reason, sizeof(reason));
    int retry =
        call->attempt < policy->max_attempts && stayhooks__retryable(req->method, &outcome);
    long wait = retry ? stayhooks__retry_wait_ms(policy, call->attempt, &outcome,
                                                 stayhooks__client_random(c))
                      : 0;
    if (retry && policy->deadline_ms > 0 &&
        stayhooks__monotonic_ms() - call->start_ms + wait > policy->deadline_ms) {
        stayhooks__log(c, STAYHOOKS_LOG_INFO, call->secrets, 1,
                       "not retrying %s %s after %s: a wait of %ld ms would pass the "
                       "%ld ms deadline",
                       req->method, req->url, reason, wait, policy->deadline_ms);
        retry = 0;
    }
    /* Without a deadline, max_delay_ms is the only bound on a wait, so a
     * Retry-After longer than it would otherwise hold the call for as long
     * as the server requests. */
    if (retry && policy->deadline_ms == 0 && wait > policy->max_delay_ms) {
        stayhooks__log(c, STAYHOOKS_LOG_INFO, call->secrets, 1,
                       "not retrying %s %s after %s: the requested wait of %ld ms is longer "
                       "than max_delay_ms (%ld ms)",
                       req->method, req->url, reason, wait, policy->max_delay_ms);
        retry = 0;
    }
    if (!retry) {
        stayhooks_error *e = exchange_error(c, req, x);
        if (e != NULL) {
            e->attempts = call->attempt;
            e->retry_after = outcome.retry_after;
            if (!redact_error(e, c->token, req->secret)) {
                stayhooks_error_free(e);
                e = NULL;
            }
        }
        return stayhooks__error_raise(err, e);
    }

    stayhooks__log(c, STAYHOOKS_LOG_INFO, call->secrets, 1,
                   "retrying %s %s in %ld ms after %s (attempt %d of %d)", req->method,
                   req->url, wait, reason, call->attempt + 1, policy->max_attempts);
    *wait_ms = wait;
    return STAYHOOKS__CALL_RETRY;
}

void stayhooks__call_clear(stayhooks__call *call)
{
    stayhooks__exchange_clear(&call->x);
    free_headers(&call->headers);
    free(call->body_text);
    call->body_text = NULL;
}

int stayhooks__perform(stayhooks_client *c, const stayhooks__request *req, json_t **reply,
                       stayhooks_error **err)
{
    stayhooks__call call;
    int rc;

    *reply = NULL;
    rc = stayhooks__call_begin(c, req, &call, err);
    if (rc != STAYHOOKS_OK || call.dry_run_done)
        goto done;

    for (;;) {
        long wait = 0;

        stayhooks__call_next_attempt(c, &call);
        if (stayhooks__transport_send(c, &call.x) != STAYHOOKS_OK) {
            rc = stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "could not set up libcurl");
            goto done;
        }
        rc = stayhooks__call_finish_attempt(c, &call, reply, &wait, err);
        if (rc != STAYHOOKS__CALL_RETRY)
            break;
        sleep_ms(wait);
    }

done:
    stayhooks__call_clear(&call);
    return rc;
}

void stayhooks__request_clear(stayhooks__request *req)
{
    free(req->url);
    json_decref(req->body);
    req->url = NULL;
    req->body = NULL;
}
