/* test_threads.c: the library's thread rules against a real
 * stayhooks-server. Threads released together by a barrier each call
 * stayhooks_global_init() and stayhooks_client_new() at once, then send
 * messages through their own client, and every message arrives once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>

#include "fixture.h"
#include "stayhooks.h"

#define THREAD_COUNT 8
#define MESSAGES_PER_THREAD 25
#define TEXT_SIZE 64

static struct fixture fx;

/* Rate limit high enough that no invoke in this file meets it. */
static const char *const server_args[] = { "--rate-limit", "100000/1", NULL };

/* One sender thread's inputs and what it recorded. Asserts run on the main
 * thread only, because cmocka's asserts are not thread-safe. */
struct sender {
    int index;
    pthread_barrier_t *barrier;
    const stayhooks_target *target;
    int init_rc;
    int client_rc;
    int sent;
    int failed;
    char first_error[256];
};

static void message_text(char *text, size_t size, int thread, int message)
{
    snprintf(text, size, "thread %d message %d", thread, message);
}

static void record_error(struct sender *sender, const char *what, const stayhooks_error *err)
{
    if (sender->first_error[0] != '\0')
        return;
    snprintf(sender->first_error, sizeof sender->first_error, "thread %d: %s: %s", sender->index,
             what, err != NULL ? stayhooks_error_message(err) : "(no error object)");
}

static void *send_messages(void *arg)
{
    struct sender *sender = arg;
    stayhooks_options options;
    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;

    stayhooks_options_init(&options);
    options.base_url = fx.server.base_url;
    options.timeout_ms = 10000;

    /* All threads start the global init and the client creation together,
     * which is where unguarded global state would race. */
    pthread_barrier_wait(sender->barrier);
    sender->init_rc = stayhooks_global_init();
    sender->client_rc = stayhooks_client_new(&options, &client, &err);
    if (sender->client_rc != STAYHOOKS_OK) {
        record_error(sender, "client_new", err);
        stayhooks_error_free(err);
        return NULL;
    }

    for (int i = 0; i < MESSAGES_PER_THREAD; i++) {
        char text[TEXT_SIZE];
        stayhooks_invoke_result *result = NULL;

        message_text(text, sizeof text, sender->index, i);
        stayhooks_message message = { text, NULL, NULL };
        err = NULL;
        if (stayhooks_send_message(client, sender->target, &message, &result, &err) ==
            STAYHOOKS_OK) {
            sender->sent++;
        } else {
            sender->failed++;
            record_error(sender, text, err);
        }
        stayhooks_invoke_result_free(result);
        stayhooks_error_free(err);
    }
    stayhooks_client_free(client);
    return NULL;
}

/* Returns how many messages of the room's read-back have text `text`. */
static int count_text(json_t *messages, const char *text)
{
    size_t i;
    json_t *row;
    int found = 0;

    json_array_foreach(messages, i, row)
    {
        const char *row_text = json_string_value(json_object_get(row, "text"));
        found += row_text != NULL && strcmp(row_text, text) == 0;
    }
    return found;
}

static void threads_send_concurrently_once_each(void **state)
{
    (void)state;
    json_t *webhook = fixture_create_webhook(&fx, ROOM, fx.owner_token, "{\"label\":\"threads\"}");
    const char *webhook_id = json_string_value(json_object_get(json_object_get(webhook, "webhook"), "id"));
    const char *secret = json_string_value(json_object_get(webhook, "secret"));
    assert_non_null(webhook_id);
    assert_non_null(secret);
    stayhooks_target target = { ROOM, webhook_id, NULL, secret };

    pthread_barrier_t barrier;
    pthread_t threads[THREAD_COUNT];
    struct sender senders[THREAD_COUNT];
    assert_int_equal(pthread_barrier_init(&barrier, NULL, THREAD_COUNT), 0);
    for (int t = 0; t < THREAD_COUNT; t++) {
        senders[t] = (struct sender){ t, &barrier, &target, -1, -1, 0, 0, "" };
        assert_int_equal(pthread_create(&threads[t], NULL, send_messages, &senders[t]), 0);
    }
    for (int t = 0; t < THREAD_COUNT; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    pthread_barrier_destroy(&barrier);

    for (int t = 0; t < THREAD_COUNT; t++) {
        if (senders[t].first_error[0] != '\0')
            print_error("%s\n", senders[t].first_error);
        assert_int_equal(senders[t].init_rc, STAYHOOKS_OK);
        assert_int_equal(senders[t].client_rc, STAYHOOKS_OK);
        assert_int_equal(senders[t].failed, 0);
        assert_int_equal(senders[t].sent, MESSAGES_PER_THREAD);
    }

    /* Every acknowledged message arrived exactly once. */
    struct reply reply;
    char *url = fixture_url(&fx, "rooms/%R/messages", ROOM, NULL);
    fixture_request(&fx, "GET", url, fx.member_token, NULL, NULL, &reply);
    free(url);
    assert_int_equal(reply.status, 200);
    json_t *messages = json_object_get(reply.json, "messages");
    assert_true(json_is_array(messages));
    assert_int_equal(json_array_size(messages), THREAD_COUNT * MESSAGES_PER_THREAD);
    for (int t = 0; t < THREAD_COUNT; t++) {
        for (int i = 0; i < MESSAGES_PER_THREAD; i++) {
            char text[TEXT_SIZE];
            message_text(text, sizeof text, t, i);
            int found = count_text(messages, text);
            if (found != 1)
                print_error("'%s' found %d times\n", text, found);
            assert_int_equal(found, 1);
        }
    }
    reply_free(&reply);
    json_decref(webhook);
}

static int group_setup(void **state)
{
    (void)state;
    return fixture_setup(&fx, server_args);
}

static int group_teardown(void **state)
{
    (void)state;
    return fixture_teardown(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_send_concurrently_once_each),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
