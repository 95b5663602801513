/* test_batch.c: batches against a real stayhooks-server: order of results,
 * exactly-once delivery, failed items, the connection bound, connection
 * reuse across two servers, cancelling, retries per
 * item and dry runs. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "stayhooks.h"

#define ITEM_COUNT 40

static struct fixture fx;
static stayhooks_client *owner;

/* Rate limit high enough that no invoke in this file meets it. */
static const char *const server_args[] = { "--rate-limit", "100000/1", NULL };

static stayhooks_client *client_for(const char *base_url, const char *token, int dry_run)
{
    stayhooks_options options;
    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;

    stayhooks_options_init(&options);
    options.base_url = base_url;
    options.token = token;
    options.retry.max_attempts = 3;
    options.retry.base_delay_ms = 10;
    options.timeout_ms = 10000;
    options.dry_run = dry_run;
    if (stayhooks_client_new(&options, &client, &err) != STAYHOOKS_OK) {
        print_error("client: %s\n", stayhooks_error_message(err));
        stayhooks_error_free(err);
        return NULL;
    }
    return client;
}

static int group_setup(void **state)
{
    (void)state;
    if (fixture_setup(&fx, server_args) != 0)
        return -1;
    owner = client_for(fx.server.base_url, fx.owner_token, 0);
    return owner != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    stayhooks_client_free(owner);
    return fixture_teardown(&fx);
}

static void expect_ok(int rc, stayhooks_error *err, const char *what)
{
    if (rc != STAYHOOKS_OK) {
        print_error("%s: %s (%ld) %s\n", what, stayhooks_code_name((stayhooks_code)rc),
                    stayhooks_error_status(err), stayhooks_error_message(err));
        stayhooks_error_free(err);
    }
    assert_int_equal(rc, STAYHOOKS_OK);
}

static stayhooks_secret_bundle *create_webhook(const char *room, const char *token,
                                               const char *const *permissions, size_t count)
{
    stayhooks_client *client = client_for(fx.server.base_url, token, 0);
    stayhooks_secret_bundle *bundle = NULL;
    stayhooks_error *err = NULL;

    assert_non_null(client);
    expect_ok(stayhooks_create_webhook(client, room, "Batch bot", permissions, count, &bundle,
                                       &err),
              err, "create webhook");
    stayhooks_client_free(client);
    return bundle;
}

/* Returns how many read-back rows of `room` have member `key` equal to
 * `value`. `what` is "messages", "polls" or "board". */
static int count_received(const char *room, const char *token, const char *what,
                          const char *key, const char *value)
{
    char path[64];
    struct reply reply;
    int found = 0;

    snprintf(path, sizeof path, "rooms/%%R/%s", what);
    char *url = fixture_url(&fx, path, room, NULL);
    fixture_request(&fx, "GET", url, token, NULL, NULL, &reply);
    free(url);
    assert_int_equal(reply.status, 200);

    json_t *rows = json_object_get(reply.json, strcmp(what, "board") == 0 ? "images" : what);
    assert_true(json_is_array(rows));
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const json_t *holder = row;
        const char *member = key;
        /* "embed.title" reads the title inside a message's embed. */
        if (strncmp(key, "embed.", 6) == 0) {
            holder = json_object_get(row, "embed");
            member = key + 6;
        }
        const char *text = json_string_value(json_object_get(holder, member));
        found += text != NULL && strcmp(text, value) == 0;
    }
    reply_free(&reply);
    return found;
}

typedef struct progress_log {
    size_t calls;
    size_t last_done;
    size_t total;
    int out_of_order;
} progress_log;

static void record_progress(void *userdata, size_t done, size_t total)
{
    progress_log *log = userdata;
    if (done != log->last_done + 1)
        log->out_of_order = 1;
    log->calls++;
    log->last_done = done;
    log->total = total;
}

/* Items cycle through four kinds, two rooms and four webhooks; item i's
 * text or question or URL carries i, so the read-back can find it. */
static void batch_mixed_items_in_order(void **state)
{
    (void)state;
    stayhooks_secret_bundle *alpha = create_webhook(ROOM, fx.owner_token, NULL, 0);
    stayhooks_secret_bundle *beta = create_webhook(ROOM, fx.owner_token, NULL, 0);
    stayhooks_secret_bundle *other = create_webhook(OTHER_ROOM, fx.other_token, NULL, 0);
    stayhooks_batch *batch = NULL;
    stayhooks_error *err = NULL;
    progress_log progress = { 0, 0, 0, 0 };
    static const char *const kinds[] = { "message", "poll", "image", "embed" };
    char text[ITEM_COUNT][64];

    expect_ok(stayhooks_batch_new(owner, &batch, &err), err, "batch new");
    for (int i = 0; i < ITEM_COUNT; i++) {
        stayhooks_target target = { ROOM, alpha->webhook.id, NULL, alpha->secret };
        if (i % 3 == 1)
            target = (stayhooks_target){ ROOM, beta->webhook.id, NULL, beta->secret };
        if (i % 3 == 2)
            target = (stayhooks_target){ NULL, NULL, other->invoke_url, other->secret };

        switch (i % 4) {
        case 0: {
            snprintf(text[i], sizeof text[i], "batch message %d", i);
            stayhooks_message message = { text[i], "Batcher", NULL };
            expect_ok(stayhooks_batch_add_message(batch, &target, &message, &err), err, "add");
            break;
        }
        case 1: {
            const char *options[] = { "yes", "no" };
            snprintf(text[i], sizeof text[i], "batch poll %d?", i);
            stayhooks_poll poll = { text[i], options, 2, 0, 0 };
            expect_ok(stayhooks_batch_add_poll(batch, &target, &poll, &err), err, "add");
            break;
        }
        case 2: {
            snprintf(text[i], sizeof text[i], "https://example.org/batch/%d.png", i);
            stayhooks_image image = { text[i], 0, 0, 0, 0, 0, 0 };
            expect_ok(stayhooks_batch_add_image(batch, &target, &image, &err), err, "add");
            break;
        }
        default: {
            char payload[160];
            snprintf(text[i], sizeof text[i], "batch embed %d", i);
            snprintf(payload, sizeof payload, "{\"embed\":{\"title\":\"%.63s\"}}", text[i]);
            expect_ok(stayhooks_batch_add_invoke(batch, &target, "embed", payload, &err), err,
                      "add");
            break;
        }
        }
    }
    assert_int_equal(stayhooks_batch_count(batch), ITEM_COUNT);

    expect_ok(stayhooks_batch_run(batch, 6, record_progress, &progress, &err), err, "run");
    assert_int_equal(progress.calls, ITEM_COUNT);
    assert_int_equal(progress.total, ITEM_COUNT);
    assert_false(progress.out_of_order);

    for (int i = 0; i < ITEM_COUNT; i++) {
        const stayhooks_invoke_result *result = NULL;
        const stayhooks_error *item_err = NULL;
        int rc = stayhooks_batch_result(batch, (size_t)i, &result, &item_err);
        if (rc != STAYHOOKS_OK)
            print_error("item %d: %s\n", i, stayhooks_error_message(item_err));
        assert_int_equal(rc, STAYHOOKS_OK);
        assert_null(item_err);
        assert_non_null(result);
        assert_string_equal(result->kind, kinds[i % 4]);
        if (i % 4 == 1)
            assert_non_null(result->poll_id);
    }

    /* Every acknowledged item arrived exactly once, in the right room. */
    for (int i = 0; i < ITEM_COUNT; i++) {
        const char *room = i % 3 == 2 ? OTHER_ROOM : ROOM;
        const char *token = i % 3 == 2 ? fx.other_token : fx.member_token;
        int found;
        if (i % 4 == 0)
            found = count_received(room, token, "messages", "text", text[i]);
        else if (i % 4 == 1)
            found = count_received(room, token, "polls", "question", text[i]);
        else if (i % 4 == 2)
            found = count_received(room, token, "board", "url", text[i]);
        else
            found = count_received(room, token, "messages", "embed.title", text[i]);
        if (found != 1)
            print_error("item %d (%s) found %d times\n", i, text[i], found);
        assert_int_equal(found, 1);
    }

    stayhooks_batch_free(batch);
    stayhooks_secret_bundle_free(alpha);
    stayhooks_secret_bundle_free(beta);
    stayhooks_secret_bundle_free(other);
}

static void batch_bad_items_do_not_stop_others(void **state)
{
    (void)state;
    const char *message_only[] = { "message" };
    stayhooks_secret_bundle *good = create_webhook(ROOM, fx.owner_token, NULL, 0);
    stayhooks_secret_bundle *limited = create_webhook(ROOM, fx.owner_token, message_only, 1);
    stayhooks_batch *batch = NULL;
    stayhooks_error *err = NULL;
    stayhooks_target target = { ROOM, good->webhook.id, NULL, good->secret };
    stayhooks_target wrong_secret = { ROOM, good->webhook.id, NULL, "whk_not_the_secret" };
    stayhooks_target no_permission = { ROOM, limited->webhook.id, NULL, limited->secret };
    char *long_text = malloc(4100);
    const stayhooks_invoke_result *result = NULL;
    const stayhooks_error *item_err = NULL;

    assert_non_null(long_text);
    memset(long_text, 'x', 4099);
    long_text[4099] = '\0';

    expect_ok(stayhooks_batch_new(owner, &batch, &err), err, "batch new");

    /* Input checks run at add time: the item is not queued. */
    stayhooks_message blank = { "   ", NULL, NULL };
    assert_int_equal(stayhooks_batch_add_message(batch, &target, &blank, &err),
                     STAYHOOKS_ERR_VALIDATION);
    stayhooks_error_free(err);
    err = NULL;
    assert_int_equal(stayhooks_batch_count(batch), 0);

    stayhooks_message first = { "bad-items first", NULL, NULL };
    stayhooks_message denied = { "bad-items wrong secret", NULL, NULL };
    stayhooks_message too_long = { long_text, NULL, NULL };
    stayhooks_message last = { "bad-items last", NULL, NULL };
    const char *options[] = { "a", "b" };
    stayhooks_poll poll = { "bad-items poll?", options, 2, 0, 0 };
    expect_ok(stayhooks_batch_add_message(batch, &target, &first, &err), err, "add 0");
    expect_ok(stayhooks_batch_add_message(batch, &wrong_secret, &denied, &err), err, "add 1");
    expect_ok(stayhooks_batch_add_message(batch, &target, &too_long, &err), err, "add 2");
    expect_ok(stayhooks_batch_add_poll(batch, &no_permission, &poll, &err), err, "add 3");
    expect_ok(stayhooks_batch_add_message(batch, &target, &last, &err), err, "add 4");
    free(long_text);

    expect_ok(stayhooks_batch_run(batch, 4, NULL, NULL, &err), err, "run");

    assert_int_equal(stayhooks_batch_result(batch, 0, &result, &item_err), STAYHOOKS_OK);
    assert_non_null(result->message_id);

    assert_int_equal(stayhooks_batch_result(batch, 1, &result, &item_err), STAYHOOKS_ERR_AUTH);
    assert_null(result);
    assert_int_equal(stayhooks_error_status(item_err), 401);
    assert_null(strstr(stayhooks_error_message(item_err), "whk_not_the_secret"));

    assert_int_equal(stayhooks_batch_result(batch, 2, &result, &item_err), STAYHOOKS_ERR_HTTP);
    assert_int_equal(stayhooks_error_status(item_err), 400);
    assert_non_null(strstr(stayhooks_error_message(item_err), "text"));

    assert_int_equal(stayhooks_batch_result(batch, 3, &result, &item_err), STAYHOOKS_ERR_AUTH);
    assert_int_equal(stayhooks_error_status(item_err), 403);

    assert_int_equal(stayhooks_batch_result(batch, 4, &result, &item_err), STAYHOOKS_OK);
    assert_non_null(result->message_id);

    assert_int_equal(count_received(ROOM, fx.member_token, "messages", "text", "bad-items first"), 1);
    assert_int_equal(count_received(ROOM, fx.member_token, "messages", "text", "bad-items last"), 1);
    assert_int_equal(
        count_received(ROOM, fx.member_token, "messages", "text", "bad-items wrong secret"), 0);
    assert_int_equal(count_received(ROOM, fx.member_token, "polls", "question", "bad-items poll?"),
                     0);

    stayhooks_batch_free(batch);
    stayhooks_secret_bundle_free(good);
    stayhooks_secret_bundle_free(limited);
}

/* Returns a 127.0.0.1 port with no listener: bound, then closed. */
static int closed_port(void)
{
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int port = -1;

    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&address, sizeof address) == 0 &&
        getsockname(fd, (struct sockaddr *)&address, &length) == 0)
        port = ntohs(address.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* A refused connection is retried (nothing was sent) and then fails,
 * while the items around it are delivered. */
static void batch_unreachable_item_fails_alone(void **state)
{
    (void)state;
    stayhooks_secret_bundle *hook = create_webhook(ROOM, fx.owner_token, NULL, 0);
    stayhooks_target good = { ROOM, hook->webhook.id, NULL, hook->secret };
    stayhooks_batch *batch = NULL;
    stayhooks_error *err = NULL;
    const stayhooks_error *item_err = NULL;
    char url[96];
    int port = closed_port();

    assert_true(port > 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/webhooks/r/w/invoke", port);
    stayhooks_target unreachable = { NULL, NULL, url, "whk_unreachable" };

    expect_ok(stayhooks_batch_new(owner, &batch, &err), err, "batch new");
    expect_ok(stayhooks_batch_add_invoke(batch, &good, "message", "{\"text\":\"around 1\"}", &err),
              err, "add");
    expect_ok(stayhooks_batch_add_invoke(batch, &unreachable, "message", NULL, &err), err, "add");
    expect_ok(stayhooks_batch_add_invoke(batch, &good, "message", "{\"text\":\"around 2\"}", &err),
              err, "add");
    expect_ok(stayhooks_batch_run(batch, 2, NULL, NULL, &err), err, "run");

    assert_int_equal(stayhooks_batch_result(batch, 0, NULL, NULL), STAYHOOKS_OK);
    assert_int_equal(stayhooks_batch_result(batch, 1, NULL, &item_err), STAYHOOKS_ERR_NETWORK);
    assert_int_equal(stayhooks_error_attempts(item_err), 3);
    assert_int_equal(stayhooks_error_delivery_unknown(item_err), 0);
    assert_int_equal(stayhooks_batch_result(batch, 2, NULL, NULL), STAYHOOKS_OK);
    assert_int_equal(count_received(ROOM, fx.member_token, "messages", "text", "around 1"), 1);
    assert_int_equal(count_received(ROOM, fx.member_token, "messages", "text", "around 2"), 1);

    stayhooks_batch_free(batch);
    stayhooks_secret_bundle_free(hook);
}

/* libcurl counts the connections each transfer opened: more than
 * max_parallel would show a broken bound, fewer than the items shows
 * reuse. */
static void batch_connections_bounded(void **state)
{
    (void)state;
    stayhooks_secret_bundle *hook = create_webhook(ROOM, fx.owner_token, NULL, 0);
    stayhooks_target target = { ROOM, hook->webhook.id, NULL, hook->secret };
    stayhooks_batch *batch = NULL;
    stayhooks_error *err = NULL;

    expect_ok(stayhooks_batch_new(owner, &batch, &err), err, "batch new");
    for (int i = 0; i < ITEM_COUNT; i++)
        expect_ok(stayhooks_batch_add_invoke(batch, &target, "message",
                                             "{\"text\":\"bounded\"}", &err),
                  err, "add");
    expect_ok(stayhooks_batch_run(batch, 3, NULL, NULL, &err), err, "run");

    long connections = stayhooks_batch_connection_count(batch);
    assert_true(connections >= 1);
    assert_true(connections <= 3);
    for (size_t i = 0; i < ITEM_COUNT; i++)
        assert_int_equal(stayhooks_batch_result(batch, i, NULL, NULL), STAYHOOKS_OK);
    assert_int_equal(count_received(ROOM, fx.member_token, "messages", "text", "bounded"),
                     ITEM_COUNT);

    stayhooks_batch_free(batch);
    stayhooks_secret_bundle_free(hook);
}

/* A second server allows 2 invokes per second per webhook. Of 5 items,
 * 3 first get 429 with Retry-After, wait, and are retried on their own;
 * without retries they would fail. */
static void batch_retry_policy_per_item(void **state)
{
    (void)state;
    static const char *const limited_args[] = { "--rate-limit", "2/1", NULL };
    struct fixture limited;
    stayhooks_client *client = NULL;
    stayhooks_secret_bundle *bundle = NULL;
    stayhooks_batch *batch = NULL;
    stayhooks_error *err = NULL;
    struct reply reply;

    assert_int_equal(fixture_setup(&limited, limited_args), 0);
    client = client_for(limited.server.base_url, limited.owner_token, 0);
    assert_non_null(client);
    expect_ok(stayhooks_create_webhook(client, ROOM, "Limited", NULL, 0, &bundle, &err), err,
              "create");

    stayhooks_target target = { ROOM, bundle->webhook.id, NULL, bundle->secret };
    stayhooks_message message = { "limited", NULL, NULL };
    expect_ok(stayhooks_batch_new(client, &batch, &err), err, "batch new");
    for (int i = 0; i < 5; i++)
        expect_ok(stayhooks_batch_add_message(batch, &target, &message, &err), err, "add");
    expect_ok(stayhooks_batch_run(batch, 5, NULL, NULL, &err), err, "run");

    for (size_t i = 0; i < 5; i++) {
        const stayhooks_error *item_err = NULL;
        int rc = stayhooks_batch_result(batch, i, NULL, &item_err);
        if (rc != STAYHOOKS_OK)
            print_error("item %zu: %s\n", i, stayhooks_error_message(item_err));
        assert_int_equal(rc, STAYHOOKS_OK);
    }

    char *url = fixture_url(&limited, "rooms/%R/messages", ROOM, NULL);
    fixture_request(&limited, "GET", url, limited.member_token, NULL, NULL, &reply);
    free(url);
    assert_int_equal(reply.status, 200);
    assert_int_equal(json_array_size(json_object_get(reply.json, "messages")), 5);
    reply_free(&reply);

    stayhooks_batch_free(batch);
    stayhooks_secret_bundle_free(bundle);
    stayhooks_client_free(client);
    assert_int_equal(fixture_teardown(&limited), 0);
}

static void batch_dry_run_sends_nothing(void **state)
{
    (void)state;
    stayhooks_secret_bundle *hook = create_webhook(ROOM, fx.owner_token, NULL, 0);
    stayhooks_client *client = client_for(fx.server.base_url, NULL, 1);
    stayhooks_target target = { ROOM, hook->webhook.id, NULL, hook->secret };
    stayhooks_message message = { "dry batch", NULL, NULL };
    stayhooks_batch *batch = NULL;
    stayhooks_error *err = NULL;
    const stayhooks_invoke_result *result = NULL;

    assert_non_null(client);
    expect_ok(stayhooks_batch_new(client, &batch, &err), err, "batch new");
    expect_ok(stayhooks_batch_add_message(batch, &target, &message, &err), err, "add");
    expect_ok(stayhooks_batch_run(batch, 2, NULL, NULL, &err), err, "run");

    assert_int_equal(stayhooks_batch_result(batch, 0, &result, NULL), STAYHOOKS_OK);
    assert_null(result);
    assert_int_equal(stayhooks_batch_connection_count(batch), 0);
    assert_non_null(strstr(stayhooks_client_last_request(client), "\"dry batch\""));
    assert_null(strstr(stayhooks_client_last_request(client), hook->secret));
    assert_int_equal(count_received(ROOM, fx.member_token, "messages", "text", "dry batch"), 0);

    stayhooks_batch_free(batch);
    stayhooks_client_free(client);
    stayhooks_secret_bundle_free(hook);
}

/* 64 connections at once against the server's group commit: every
 * acknowledged invoke is stored exactly once, and none is lost. */
static void batch_many_connections_exactly_once(void **state)
{
    (void)state;
    enum { MANY = 400 };
    stayhooks_secret_bundle *hook = create_webhook(ROOM, fx.owner_token, NULL, 0);
    stayhooks_target target = { ROOM, hook->webhook.id, NULL, hook->secret };
    stayhooks_batch *batch = NULL;
    stayhooks_error *err = NULL;
    int seen[MANY] = { 0 };
    struct reply reply;

    expect_ok(stayhooks_batch_new(owner, &batch, &err), err, "batch new");
    for (int i = 0; i < MANY; i++) {
        char text[32];
        snprintf(text, sizeof text, "many %d", i);
        stayhooks_message message = { text, NULL, NULL };
        expect_ok(stayhooks_batch_add_message(batch, &target, &message, &err), err, "add");
    }
    expect_ok(stayhooks_batch_run(batch, 64, NULL, NULL, &err), err, "run");
    for (size_t i = 0; i < MANY; i++) {
        const stayhooks_error *item_err = NULL;
        int rc = stayhooks_batch_result(batch, i, NULL, &item_err);
        if (rc != STAYHOOKS_OK)
            print_error("item %zu: %s\n", i, stayhooks_error_message(item_err));
        assert_int_equal(rc, STAYHOOKS_OK);
    }

    char *url = fixture_url(&fx, "rooms/%R/messages", ROOM, NULL);
    fixture_request(&fx, "GET", url, fx.member_token, NULL, NULL, &reply);
    free(url);
    assert_int_equal(reply.status, 200);
    size_t index;
    json_t *row;
    json_array_foreach(json_object_get(reply.json, "messages"), index, row)
    {
        const char *text = json_string_value(json_object_get(row, "text"));
        int number;
        char rest;
        if (text != NULL && sscanf(text, "many %d%c", &number, &rest) == 1 && number >= 0 &&
            number < MANY)
            seen[number]++;
    }
    reply_free(&reply);
    for (int i = 0; i < MANY; i++) {
        if (seen[i] != 1)
            print_error("\"many %d\" stored %d times\n", i, seen[i]);
        assert_int_equal(seen[i], 1);
    }

    stayhooks_batch_free(batch);
    stayhooks_secret_bundle_free(hook);
}

static void batch_argument_checks(void **state)
{
    (void)state;
    stayhooks_target target = { "room", "hook", NULL, "whk_secret" };
    stayhooks_target no_secret = { "room", "hook", NULL, NULL };
    stayhooks_batch *batch = NULL;
    stayhooks_error *err = NULL;
    const stayhooks_invoke_result *result = (const stayhooks_invoke_result *)&target;

    assert_int_equal(stayhooks_batch_new(NULL, &batch, &err), STAYHOOKS_ERR_VALIDATION);
    assert_null(batch);
    stayhooks_error_free(err);
    err = NULL;

    expect_ok(stayhooks_batch_new(owner, &batch, &err), err, "batch new");
    assert_int_equal(stayhooks_batch_add_invoke(batch, &no_secret, "message", NULL, &err),
                     STAYHOOKS_ERR_VALIDATION);
    stayhooks_error_free(err);
    err = NULL;
    assert_int_equal(stayhooks_batch_add_invoke(batch, &target, "message", "[1]", &err),
                     STAYHOOKS_ERR_VALIDATION);
    stayhooks_error_free(err);
    err = NULL;
    expect_ok(stayhooks_batch_add_invoke(batch, &target, "message", NULL, &err), err, "add");

    /* Not run yet, and out of range: no outcome to read. */
    assert_int_equal(stayhooks_batch_result(batch, 0, &result, NULL), STAYHOOKS_ERR_VALIDATION);
    assert_null(result);
    assert_int_equal(stayhooks_batch_result(batch, 1, NULL, NULL), STAYHOOKS_ERR_VALIDATION);

    assert_int_equal(stayhooks_batch_run(batch, 0, NULL, NULL, &err), STAYHOOKS_ERR_VALIDATION);
    stayhooks_error_free(err);
    err = NULL;
    assert_int_equal(stayhooks_batch_run(batch, STAYHOOKS_BATCH_MAX_PARALLEL + 1, NULL, NULL, &err),
                     STAYHOOKS_ERR_VALIDATION);
    stayhooks_error_free(err);
    err = NULL;

    assert_int_equal(stayhooks_batch_count(NULL), 0);
    stayhooks_batch_free(NULL);
    stayhooks_batch_free(batch);
}


/* Items that alternate between two servers keep one pool of connections
 * per server: a cap on total connections would close one server's idle
 * connections to open the other's, and nearly every item would connect
 * anew. */
static void batch_two_hosts_reuse_connections(void **state)
{
    (void)state;
    enum { ALTERNATING = 200 };
    static const int parallel_counts[] = { 3, 8, 16 };
    struct fixture second;
    stayhooks_secret_bundle *hook = create_webhook(ROOM, fx.owner_token, NULL, 0);
    stayhooks_secret_bundle *other = NULL;
    stayhooks_error *err = NULL;

    assert_int_equal(fixture_setup(&second, server_args), 0);
    stayhooks_client *second_owner = client_for(second.server.base_url, second.owner_token, 0);
    assert_non_null(second_owner);
    expect_ok(stayhooks_create_webhook(second_owner, ROOM, "Second host", NULL, 0, &other, &err),
              err, "create on the second server");

    stayhooks_target first_target = { NULL, NULL, hook->invoke_url, hook->secret };
    stayhooks_target second_target = { NULL, NULL, other->invoke_url, other->secret };
    for (size_t run = 0; run < sizeof parallel_counts / sizeof parallel_counts[0]; run++) {
        int parallel = parallel_counts[run];
        stayhooks_batch *batch = NULL;

        expect_ok(stayhooks_batch_new(owner, &batch, &err), err, "batch new");
        for (int i = 0; i < ALTERNATING; i++)
            expect_ok(stayhooks_batch_add_invoke(batch,
                                                 i % 2 == 0 ? &first_target : &second_target,
                                                 "message", "{\"text\":\"two hosts\"}", &err),
                      err, "add");
        expect_ok(stayhooks_batch_run(batch, parallel, NULL, NULL, &err), err, "run");

        for (size_t i = 0; i < ALTERNATING; i++)
            assert_int_equal(stayhooks_batch_result(batch, i, NULL, NULL), STAYHOOKS_OK);
        long connections = stayhooks_batch_connection_count(batch);
        if (connections > 2 * parallel)
            print_error("%ld new connections for %d items at parallel %d\n", connections,
                        ALTERNATING, parallel);
        assert_true(connections >= 2);
        assert_true(connections <= 2 * parallel);
        stayhooks_batch_free(batch);
    }
    stayhooks_secret_bundle_free(other);
    stayhooks_client_free(second_owner);
    stayhooks_secret_bundle_free(hook);
    assert_int_equal(fixture_teardown(&second), 0);
}

struct cancel_after {
    size_t ended[ITEM_COUNT];
    size_t ended_count;
    size_t limit;
    stayhooks_batch *batch;
};

static void cancel_after_limit(void *userdata, size_t index)
{
    struct cancel_after *state = userdata;

    if (state->ended_count < ITEM_COUNT)
        state->ended[state->ended_count] = index;
    state->ended_count++;
    if (state->ended_count == state->limit)
        stayhooks_batch_cancel(state->batch);
}

/* A cancel request stops new items: the item callback sees each ended
 * item once, in order at parallel 1, the rest stay queued and unsent, and
 * a second run delivers them. */
static void batch_cancel_keeps_rest_queued(void **state)
{
    (void)state;
    stayhooks_secret_bundle *hook = create_webhook(ROOM, fx.owner_token, NULL, 0);
    stayhooks_target target = { ROOM, hook->webhook.id, NULL, hook->secret };
    struct cancel_after cancel = { { 0 }, 0, 3, NULL };
    stayhooks_error *err = NULL;

    expect_ok(stayhooks_batch_new(owner, &cancel.batch, &err), err, "batch new");
    for (int i = 0; i < ITEM_COUNT; i++)
        expect_ok(stayhooks_batch_add_invoke(cancel.batch, &target, "message",
                                             "{\"text\":\"cancelled batch\"}", &err),
                  err, "add");
    stayhooks_batch_set_item_callback(cancel.batch, cancel_after_limit, &cancel);
    expect_ok(stayhooks_batch_run(cancel.batch, 1, NULL, NULL, &err), err, "run");

    assert_int_equal(cancel.ended_count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(cancel.ended[i], i);
        assert_int_equal(stayhooks_batch_result(cancel.batch, i, NULL, NULL), STAYHOOKS_OK);
    }
    for (size_t i = 3; i < ITEM_COUNT; i++) {
        const stayhooks_invoke_result *result = NULL;
        const stayhooks_error *item_err = NULL;
        assert_int_equal(stayhooks_batch_result(cancel.batch, i, &result, &item_err),
                         STAYHOOKS_ERR_VALIDATION);
        assert_null(result);
        assert_null(item_err);
    }
    assert_int_equal(count_received(ROOM, fx.member_token, "messages", "text",
                                    "cancelled batch"),
                     3);

    stayhooks_batch_set_item_callback(cancel.batch, NULL, NULL);
    expect_ok(stayhooks_batch_run(cancel.batch, 4, NULL, NULL, &err), err, "second run");
    for (size_t i = 0; i < ITEM_COUNT; i++)
        assert_int_equal(stayhooks_batch_result(cancel.batch, i, NULL, NULL), STAYHOOKS_OK);
    assert_int_equal(count_received(ROOM, fx.member_token, "messages", "text",
                                    "cancelled batch"),
                     ITEM_COUNT);

    stayhooks_batch_free(cancel.batch);
    stayhooks_secret_bundle_free(hook);
}

/* Opens a 127.0.0.1 listener that never accepts, so a request to it is
 * sent into the backlog and never answered. Returns the socket and sets
 * `*port`, or returns -1. */
static int silent_listener(int *port)
{
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(address.sin_port);
    return fd;
}

static stayhooks_batch *alarm_batch;

/* Two cancel requests from a signal handler: stop new items, then abort
 * the transfer in flight. */
static void cancel_twice(int signal_number)
{
    (void)signal_number;
    stayhooks_batch_cancel(alarm_batch);
    stayhooks_batch_cancel(alarm_batch);
}

/* A second cancel aborts a transfer that would otherwise wait for its
 * 10 s timeout, and reports it as delivery unknown. The item after it
 * stays queued. */
static void batch_second_cancel_aborts_transfer(void **state)
{
    (void)state;
    struct sigaction action;
    struct sigaction old_action;
    struct itimerval timer;
    stayhooks_error *err = NULL;
    char url[96];
    int port = 0;
    int listener = silent_listener(&port);

    assert_true(listener >= 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/webhooks/R1/W1/invoke", port);
    stayhooks_target target = { NULL, NULL, url, "whk_silent" };
    expect_ok(stayhooks_batch_new(owner, &alarm_batch, &err), err, "batch new");
    for (int i = 0; i < 2; i++)
        expect_ok(stayhooks_batch_add_invoke(alarm_batch, &target, "message",
                                             "{\"text\":\"never answered\"}", &err),
                  err, "add");

    memset(&action, 0, sizeof action);
    action.sa_handler = cancel_twice;
    sigemptyset(&action.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &action, &old_action), 0);
    memset(&timer, 0, sizeof timer);
    timer.it_value.tv_usec = 300 * 1000;
    assert_int_equal(setitimer(ITIMER_REAL, &timer, NULL), 0);

    time_t start = time(NULL);
    expect_ok(stayhooks_batch_run(alarm_batch, 1, NULL, NULL, &err), err, "run");
    time_t elapsed = time(NULL) - start;
    sigaction(SIGALRM, &old_action, NULL);

    assert_true(elapsed <= 4);
    const stayhooks_error *item_err = NULL;
    assert_int_equal(stayhooks_batch_result(alarm_batch, 0, NULL, &item_err),
                     STAYHOOKS_ERR_NETWORK);
    assert_non_null(item_err);
    assert_int_equal(stayhooks_error_delivery_unknown(item_err), 1);
    assert_non_null(strstr(stayhooks_error_message(item_err), "the batch was cancelled"));
    assert_int_equal(stayhooks_batch_result(alarm_batch, 1, NULL, &item_err),
                     STAYHOOKS_ERR_VALIDATION);
    assert_null(item_err);

    stayhooks_batch_free(alarm_batch);
    alarm_batch = NULL;
    close(listener);
}
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_mixed_items_in_order),
        cmocka_unit_test(batch_bad_items_do_not_stop_others),
        cmocka_unit_test(batch_unreachable_item_fails_alone),
        cmocka_unit_test(batch_connections_bounded),
        cmocka_unit_test(batch_two_hosts_reuse_connections),
        cmocka_unit_test(batch_cancel_keeps_rest_queued),
        cmocka_unit_test(batch_second_cancel_aborts_transfer),
        cmocka_unit_test(batch_retry_policy_per_item),
        cmocka_unit_test(batch_dry_run_sends_nothing),
        cmocka_unit_test(batch_many_connections_exactly_once),
        cmocka_unit_test(batch_argument_checks),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
