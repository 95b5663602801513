/* batch.c: many invokes over a bounded pool of libcurl easy handles on
 * one multi handle. Each item goes through the same call steps as a single
 * invoke (request.h), so the retry policy and the resend guard apply per
 * item. */
#include "error.h"
#include "invoke.h"
#include "reply.h"
#include "request.h"
#include "text.h"
#include "transport.h"

#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Maximum wait of one pass of the event loop, so that a retry that falls
 * due starts at most this late. */
#define MAX_POLL_MS 1000L

typedef enum item_state {
    ITEM_NEW = 0,  /* added since the last run */
    ITEM_PENDING,  /* part of this run, not started */
    ITEM_ACTIVE,   /* an attempt is on a handle */
    ITEM_WAITING,  /* waiting for its next attempt */
    ITEM_DONE      /* has a result or an error */
} item_state;

typedef struct batch_item {
    stayhooks__request req;  /* req.secret points at `secret` */
    char *secret;            /* copied from the target, wiped on free */
    stayhooks__call call;
    stayhooks__transfer transfer;
    CURL *handle;            /* while ITEM_ACTIVE */
    size_t index;            /* position in batch->items */
    item_state state;
    long wake_ms;            /* while ITEM_WAITING */
    stayhooks_invoke_result *result;
    stayhooks_error *error;
} batch_item;

struct stayhooks_batch {
    stayhooks_client *client;
    batch_item **items;      /* pointers, so items keep their address */
    size_t count;
    size_t capacity;
    long connections;
    stayhooks_batch_item_fn on_item;
    void *on_item_userdata;
    /* Cancel requests since the run began: 1 stops new starts, 2 also
     * aborts the transfers in flight. Written by a signal handler. */
    volatile sig_atomic_t cancel_requests;
};

/* The state of one stayhooks_batch_run(). */
typedef struct batch_run {
    stayhooks_batch *batch;
    CURLM *multi;
    CURL **idle;             /* stack of free easy handles */
    size_t idle_count;
    CURL **handles;          /* every handle, for cleanup */
    size_t handle_count;
    size_t next_pending;     /* scan position for items not started */
    batch_item **waiting;    /* items in ITEM_WAITING, in no order */
    size_t waiting_count;
    size_t active;           /* items in ITEM_ACTIVE */
    size_t done;
    size_t total;
    stayhooks_batch_progress_fn progress;
    void *progress_userdata;
} batch_run;

static void wipe(char *s)
{
    if (s == NULL)
        return;
    volatile char *p = s;
    while (*p != '\0')
        *p++ = '\0';
}

static void item_free(batch_item *item)
{
    if (item == NULL)
        return;
    stayhooks__call_clear(&item->call);
    stayhooks__request_clear(&item->req);
    wipe(item->secret);
    free(item->secret);
    stayhooks_invoke_result_free(item->result);
    stayhooks_error_free(item->error);
    free(item);
}

int stayhooks_batch_new(stayhooks_client *client, stayhooks_batch **out, stayhooks_error **err)
{
    if (out == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "out must not be NULL");
    *out = NULL;
    if (client == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "client must not be NULL");

    stayhooks_batch *batch = calloc(1, sizeof(*batch));
    if (batch == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
    batch->client = client;
    *out = batch;
    return STAYHOOKS_OK;
}

void stayhooks_batch_free(stayhooks_batch *batch)
{
    if (batch == NULL)
        return;
    for (size_t i = 0; i < batch->count; i++)
        item_free(batch->items[i]);
    free(batch->items);
    free(batch);
}

size_t stayhooks_batch_count(const stayhooks_batch *batch)
{
    return batch != NULL ? batch->count : 0;
}

long stayhooks_batch_connection_count(const stayhooks_batch *batch)
{
    return batch != NULL ? batch->connections : 0;
}

void stayhooks_batch_set_item_callback(stayhooks_batch *batch, stayhooks_batch_item_fn on_item,
                                       void *userdata)
{
    if (batch == NULL)
        return;
    batch->on_item = on_item;
    batch->on_item_userdata = userdata;
}

void stayhooks_batch_cancel(stayhooks_batch *batch)
{
    /* Only a store to a volatile sig_atomic_t, so a signal handler may
     * call this. */
    if (batch != NULL && batch->cancel_requests < 2)
        batch->cancel_requests = batch->cancel_requests + 1;
}

/* Queues the request that a builder returned with `rc`. The request's
 * borrowed secret is copied so the caller's target may go away. */
static int queue_request(stayhooks_batch *batch, int rc, stayhooks__request *req,
                         stayhooks_error **err)
{
    batch_item *item = NULL;

    if (rc != STAYHOOKS_OK)
        return rc;

    if (batch->count == batch->capacity) {
        size_t capacity = batch->capacity > 0 ? batch->capacity * 2 : 16;
        batch_item **grown = realloc(batch->items, capacity * sizeof(*grown));
        if (grown == NULL)
            goto oom;
        batch->items = grown;
        batch->capacity = capacity;
    }

    item = calloc(1, sizeof(*item));
    if (item == NULL)
        goto oom;
    item->secret = stayhooks__strdup(req->secret);
    if (item->secret == NULL)
        goto oom;
    item->req = *req;
    item->req.secret = item->secret;
    item->state = ITEM_NEW;
    item->index = batch->count;
    batch->items[batch->count++] = item;
    return STAYHOOKS_OK;

oom:
    free(item);
    stayhooks__request_clear(req);
    return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
}

static int check_batch(const stayhooks_batch *batch, stayhooks_error **err)
{
    if (batch == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "batch must not be NULL");
    return STAYHOOKS_OK;
}

int stayhooks_batch_add_invoke(stayhooks_batch *batch, const stayhooks_target *target,
                               const char *action, const char *payload_json,
                               stayhooks_error **err)
{
    stayhooks__request req = { NULL, NULL, NULL, NULL };
    int rc = check_batch(batch, err);
    if (rc != STAYHOOKS_OK)
        return rc;
    rc = stayhooks__action_request(batch->client, target, action, payload_json, &req, err);
    return queue_request(batch, rc, &req, err);
}

int stayhooks_batch_add_message(stayhooks_batch *batch, const stayhooks_target *target,
                                const stayhooks_message *message, stayhooks_error **err)
{
    stayhooks__request req = { NULL, NULL, NULL, NULL };
    int rc = check_batch(batch, err);
    if (rc != STAYHOOKS_OK)
        return rc;
    rc = stayhooks__message_request(batch->client, target, message, &req, err);
    return queue_request(batch, rc, &req, err);
}

int stayhooks_batch_add_embed(stayhooks_batch *batch, const stayhooks_target *target,
                              const stayhooks_embed *embed, stayhooks_error **err)
{
    stayhooks__request req = { NULL, NULL, NULL, NULL };
    int rc = check_batch(batch, err);
    if (rc != STAYHOOKS_OK)
        return rc;
    rc = stayhooks__embed_request(batch->client, target, embed, &req, err);
    return queue_request(batch, rc, &req, err);
}

int stayhooks_batch_add_poll(stayhooks_batch *batch, const stayhooks_target *target,
                             const stayhooks_poll *poll, stayhooks_error **err)
{
    stayhooks__request req = { NULL, NULL, NULL, NULL };
    int rc = check_batch(batch, err);
    if (rc != STAYHOOKS_OK)
        return rc;
    rc = stayhooks__poll_request(batch->client, target, poll, &req, err);
    return queue_request(batch, rc, &req, err);
}

int stayhooks_batch_add_image(stayhooks_batch *batch, const stayhooks_target *target,
                              const stayhooks_image *image, stayhooks_error **err)
{
    stayhooks__request req = { NULL, NULL, NULL, NULL };
    int rc = check_batch(batch, err);
    if (rc != STAYHOOKS_OK)
        return rc;
    rc = stayhooks__image_request(batch->client, target, image, &req, err);
    return queue_request(batch, rc, &req, err);
}

int stayhooks_batch_result(const stayhooks_batch *batch, size_t index,
                           const stayhooks_invoke_result **result, const stayhooks_error **error)
{
    if (result != NULL)
        *result = NULL;
    if (error != NULL)
        *error = NULL;
    if (batch == NULL || index >= batch->count || batch->items[index]->state != ITEM_DONE)
        return STAYHOOKS_ERR_VALIDATION;

    const batch_item *item = batch->items[index];
    if (item->error != NULL) {
        if (error != NULL)
            *error = item->error;
        return stayhooks_error_code(item->error);
    }
    if (result != NULL)
        *result = item->result;
    return STAYHOOKS_OK;
}

/* Ends an item: its call state is freed, its outcome stays. */
static void finish_item(batch_run *run, batch_item *item)
{
    stayhooks__call_clear(&item->call);
    item->state = ITEM_DONE;
    run->done++;
    if (run->progress != NULL)
        run->progress(run->progress_userdata, run->done, run->total);
    if (run->batch->on_item != NULL)
        run->batch->on_item(run->batch->on_item_userdata, item->index);
}

/* Starts the next attempt of `item` on `handle`. Returns 1 when the handle
 * is now in use, 0 when the item ended without it (dry run or a set-up
 * failure). */
static int start_attempt(batch_run *run, batch_item *item, CURL *handle)
{
    stayhooks_client *client = run->batch->client;

    if (item->state == ITEM_PENDING) {
        if (stayhooks__call_begin(client, &item->req, &item->call, &item->error) !=
                STAYHOOKS_OK ||
            item->call.dry_run_done) {
            finish_item(run, item);
            return 0;
        }
    }

    stayhooks__call_next_attempt(client, &item->call);
    if (stayhooks__transfer_begin(client, handle, &item->call.x, &item->transfer) !=
        STAYHOOKS_OK) {
        stayhooks__fail(&item->error, STAYHOOKS_ERR_INTERNAL, "could not set up libcurl");
        finish_item(run, item);
        return 0;
    }
    if (curl_multi_add_handle(run->multi, handle) != CURLM_OK) {
        stayhooks__transfer_abandon(&item->transfer);
        stayhooks__fail(&item->error, STAYHOOKS_ERR_INTERNAL,
                        "could not add a transfer to the libcurl multi handle");
        finish_item(run, item);
        return 0;
    }
    item->handle = handle;
    item->state = ITEM_ACTIVE;
    run->active++;
    return 1;
}

/* Returns the first item of this run that has not started, so that items
 * start in the order they were added, or NULL. */
static batch_item *next_pending_item(batch_run *run)
{
    stayhooks_batch *batch = run->batch;

    while (run->next_pending < batch->count) {
        batch_item *item = batch->items[run->next_pending];
        if (item->state == ITEM_PENDING)
            return item;
        run->next_pending++;
    }
    return NULL;
}

/* Picks the item to start next: a retry that is due, else the next item
 * that has not started. */
static batch_item *next_startable(batch_run *run, long now)
{
    for (size_t i = 0; i < run->waiting_count; i++) {
        batch_item *item = run->waiting[i];
        if (item->wake_ms <= now) {
            run->waiting[i] = run->waiting[--run->waiting_count];
            return item;
        }
    }
    return next_pending_item(run);
}

static void start_ready_items(batch_run *run)
{
    long now = stayhooks__monotonic_ms();

    while (run->idle_count > 0) {
        batch_item *item = next_startable(run, now);
        if (item == NULL)
            return;
        if (start_attempt(run, item, run->idle[run->idle_count - 1]))
            run->idle_count--;
    }
}

/* Judges one finished transfer: the item either ends or waits to retry. */
static void complete_transfer(batch_run *run, CURL *handle, CURLcode result)
{
    stayhooks_client *client = run->batch->client;
    char *private_data = NULL;
    long new_connections = 0;
    json_t *reply = NULL;
    long wait = 0;

    curl_easy_getinfo(handle, CURLINFO_PRIVATE, &private_data);
    curl_easy_getinfo(handle, CURLINFO_NUM_CONNECTS, &new_connections);
    run->batch->connections += new_connections;
    curl_multi_remove_handle(run->multi, handle);
    run->idle[run->idle_count++] = handle;
    if (private_data == NULL)
        return;

    /* CURLINFO_PRIVATE is the transfer, which sits inside its item. */
    stayhooks__transfer *transfer = (stayhooks__transfer *)(void *)private_data;
    batch_item *item = (batch_item *)(void *)(private_data - offsetof(batch_item, transfer));
    item->handle = NULL;
    run->active--;
    if (stayhooks__transfer_end(transfer, result) != STAYHOOKS_OK) {
        stayhooks__fail(&item->error, STAYHOOKS_ERR_INTERNAL, "out of memory");
        finish_item(run, item);
        return;
    }

    int rc = stayhooks__call_finish_attempt(client, &item->call, &reply, &wait, &item->error);
    if (rc == STAYHOOKS__CALL_RETRY) {
        item->state = ITEM_WAITING;
        item->wake_ms = stayhooks__monotonic_ms() + wait;
        run->waiting[run->waiting_count++] = item;
        return;
    }
    if (rc == STAYHOOKS_OK && reply != NULL)
        stayhooks__parse_invoke_result(reply, &item->result, &item->error);
    json_decref(reply);
    finish_item(run, item);
}

/* Returns how long to wait for socket activity: until the earliest retry
 * is due, at most MAX_POLL_MS, and 0 when an item can start now. Without
 * a free handle nothing can start, so only the sockets matter. */
static int poll_timeout_ms(batch_run *run)
{
    long now = stayhooks__monotonic_ms();
    long timeout = MAX_POLL_MS;

    if (run->idle_count == 0)
        return (int)timeout;
    if (next_pending_item(run) != NULL)
        return 0;
    for (size_t i = 0; i < run->waiting_count; i++) {
        long left = run->waiting[i]->wake_ms - now;
        if (left < timeout)
            timeout = left > 0 ? left : 0;
    }
    return (int)timeout;
}

/* Puts the items that have not started, and those waiting for a retry,
 * back in the queue so that a later run sends them. A batch retries a POST
 * only when the failed attempt surely had no effect, so a waiting item was
 * not delivered. */
static void requeue_unstarted(batch_run *run)
{
    stayhooks_batch *batch = run->batch;

    for (size_t i = 0; i < batch->count; i++) {
        batch_item *item = batch->items[i];
        if (item->state != ITEM_PENDING && item->state != ITEM_WAITING)
            continue;
        stayhooks__call_clear(&item->call);
        memset(&item->call, 0, sizeof(item->call));
        item->state = ITEM_NEW;
        run->total--;
    }
    run->waiting_count = 0;
}

/* Ends every transfer in flight after a second cancel request. The whole
 * request may have reached the server, so each is "delivery unknown". */
static void abort_active(batch_run *run)
{
    stayhooks_batch *batch = run->batch;

    for (size_t i = 0; i < batch->count; i++) {
        batch_item *item = batch->items[i];
        if (item->state != ITEM_ACTIVE || item->handle == NULL)
            continue;
        long new_connections = 0;
        curl_easy_getinfo(item->handle, CURLINFO_NUM_CONNECTS, &new_connections);
        batch->connections += new_connections;
        curl_multi_remove_handle(run->multi, item->handle);
        stayhooks__transfer_abandon(&item->transfer);
        run->idle[run->idle_count++] = item->handle;
        item->handle = NULL;
        run->active--;

        stayhooks_error *e = stayhooks__error_new(
            STAYHOOKS_ERR_NETWORK, "%s %s: aborted because the batch was cancelled; the "
                                   "server may have acted on it",
            item->req.method, item->req.url);
        if (e != NULL)
            e->delivery_unknown = 1;
        stayhooks__error_raise(&item->error, e);
        finish_item(run, item);
    }
}

static int run_loop(batch_run *run)
{
    while (run->done < run->total) {
        int running = 0;
        CURLMsg *msg;
        int queued;

        if (run->batch->cancel_requests > 0) {
            requeue_unstarted(run);
            if (run->batch->cancel_requests > 1)
                abort_active(run);
            if (run->done >= run->total)
                break;
        } else {
            start_ready_items(run);
        }
        if (curl_multi_perform(run->multi, &running) != CURLM_OK)
            return STAYHOOKS_ERR_INTERNAL;
        while ((msg = curl_multi_info_read(run->multi, &queued)) != NULL) {
            if (msg->msg == CURLMSG_DONE)
                complete_transfer(run, msg->easy_handle, msg->data.result);
        }
        if (run->done >= run->total)
            break;

        /* curl_multi_poll also wakes up for libcurl's own timers. */
        if (curl_multi_poll(run->multi, NULL, 0, poll_timeout_ms(run), NULL) != CURLM_OK)
            return STAYHOOKS_ERR_INTERNAL;
    }
    return STAYHOOKS_OK;
}

/* Takes the items added since the last run into this one and returns how
 * many there are. */
static size_t claim_new_items(stayhooks_batch *batch)
{
    size_t total = 0;
    for (size_t i = 0; i < batch->count; i++) {
        if (batch->items[i]->state == ITEM_NEW) {
            batch->items[i]->state = ITEM_PENDING;
            total++;
        }
    }
    return total;
}

/* Ends every item of a run that stopped early: handles leave the multi
 * handle, and each unfinished item gets an error. */
static void release_active_items(batch_run *run)
{
    stayhooks_batch *batch = run->batch;
    for (size_t i = 0; i < batch->count; i++) {
        batch_item *item = batch->items[i];
        if (item->state == ITEM_ACTIVE && item->handle != NULL) {
            curl_multi_remove_handle(run->multi, item->handle);
            stayhooks__transfer_abandon(&item->transfer);
            item->handle = NULL;
        }
        if (item->state != ITEM_DONE && item->state != ITEM_NEW) {
            stayhooks__fail(&item->error, STAYHOOKS_ERR_INTERNAL,
                            "the batch stopped before this item finished");
            stayhooks__call_clear(&item->call);
            item->state = ITEM_DONE;
        }
    }
}

/* Origins beyond this many share the cache size of the last one, which
 * bounds the scan below to MAX_COUNTED_ORIGINS comparisons per item. */
#define MAX_COUNTED_ORIGINS 64

/* Returns the length of the "scheme://authority" prefix of `url`. */
static size_t origin_length(const char *url)
{
    const char *authority = strstr(url, "://");
    if (authority == NULL)
        return strlen(url);
    authority += 3;
    return (size_t)(authority - url) + strcspn(authority, "/?#");
}

/* Counts the distinct origins among the items of this run, at least 1. */
static size_t count_origins(const stayhooks_batch *batch)
{
    const char *origins[MAX_COUNTED_ORIGINS];
    size_t lengths[MAX_COUNTED_ORIGINS];
    size_t count = 0;

    for (size_t i = 0; i < batch->count && count < MAX_COUNTED_ORIGINS; i++) {
        const batch_item *item = batch->items[i];
        if (item->state != ITEM_PENDING)
            continue;
        size_t length = origin_length(item->req.url);
        size_t j;
        for (j = 0; j < count; j++) {
            if (lengths[j] == length && strncmp(origins[j], item->req.url, length) == 0)
                break;
        }
        if (j == count) {
            origins[count] = item->req.url;
            lengths[count] = length;
            count++;
        }
    }
    return count > 0 ? count : 1;
}

int stayhooks_batch_run(
stayhooks_batch *batch, int max_parallel,
                        stayhooks_batch_progress_fn progress, void *progress_userdata,
                        stayhooks_error **err)
{
    batch_run run;
    int rc;

    memset(&run, 0, sizeof(run));
    if ((rc = check_batch(batch, err)) != STAYHOOKS_OK)
        return rc;
    if (max_parallel < 1 || max_parallel > STAYHOOKS_BATCH_MAX_PARALLEL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "max_parallel %d is out of range; use 1 to %d", max_parallel,
                               STAYHOOKS_BATCH_MAX_PARALLEL);

    run.batch = batch;
    run.progress = progress;
    run.progress_userdata = progress_userdata;
    batch->connections = 0;
    run.total = claim_new_items(batch);
    if (run.total == 0)
        return STAYHOOKS_OK;

    size_t slots = (size_t)max_parallel < run.total ? (size_t)max_parallel : run.total;
    run.multi = curl_multi_init();
    run.handles = calloc(slots, sizeof(*run.handles));
    run.idle = calloc(slots, sizeof(*run.idle));
    run.waiting = calloc(run.total, sizeof(*run.waiting));
    if (run.multi == NULL || run.handles == NULL || run.idle == NULL || run.waiting == NULL) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "could not set up libcurl");
        goto done;
    }

    /* The number of easy handles bounds the parallelism. The connection
     * cache keeps up to `slots` idle connections per origin, so items that
     * alternate between hosts still reuse theirs. A cap on total
     * connections would make libcurl close one host's idle connections to
     * open another's. */
    long cache_size = (long)(slots * count_origins(batch));
    if (curl_multi_setopt(run.multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)slots) != CURLM_OK ||
        curl_multi_setopt(run.multi, CURLMOPT_MAXCONNECTS, cache_size) != CURLM_OK) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "could not set up libcurl");
        goto done;
    }
    for (size_t i = 0; i < slots; i++) {
        run.handles[i] = curl_easy_init();
        if (run.handles[i] == NULL) {
            rc = stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "curl_easy_init failed");
            goto done;
        }
        run.handle_count++;
        run.idle[run.idle_count++] = run.handles[i];
    }

    rc = run_loop(&run);
    if (rc != STAYHOOKS_OK)
        stayhooks__fail(err, rc, "the libcurl multi interface failed");

done:
    release_active_items(&run);
    batch->cancel_requests = 0;
    for (size_t i = 0; i < run.handle_count; i++)
        curl_easy_cleanup(run.handles[i]);
    if (run.multi != NULL)
        curl_multi_cleanup(run.multi);
    free(run.handles);
    free(run.idle);
    free(run.waiting);
    return rc;
}
