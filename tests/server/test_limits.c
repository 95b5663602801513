/* Options of `serve`: the per-room webhook limit (409), the per-webhook
 * invoke rate limit (429 with a Retry-After that is enough to wait) and
 * the public URL used in invokeUrl. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fixture.h"

#define HELLO "{\"action\":\"message\",\"payload\":{\"text\":\"hello\"}}"

static struct fixture fx;
static const char *const server_args[] = { "--webhook-limit", "2", "--rate-limit", "2/1",
                                           "--public-url", "https://hooks.example.test/base/", NULL };

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

static const char *id_of(const json_t *created)
{
    return json_string_value(json_object_get(json_object_get(created, "webhook"), "id"));
}

static void webhook_limit_gives_409(void **state)
{
    json_t *first = fixture_create_webhook(&fx, ROOM, fx.owner_token, "{\"label\":\"one\"}");
    json_t *second = fixture_create_webhook(&fx, ROOM, fx.owner_token, "{\"label\":\"two\"}");
    char *create_url = fixture_url(&fx, "webhooks/%R", ROOM, NULL);
    char *meta_url = fixture_url(&fx, "webhooks/%R/meta/permitted-actions", ROOM, NULL);
    char *delete_url = fixture_url(&fx, "webhooks/%R/%W", ROOM, id_of(first));
    struct reply reply;
    (void)state;

    fixture_request(&fx, "POST", create_url, fx.owner_token, NULL, "{\"label\":\"three\"}", &reply);
    assert_int_equal(reply.status, 409);
    assert_string_equal(reply_error_text(&reply), "room already has the maximum of 2 webhooks");
    reply_free(&reply);

    fixture_request(&fx, "GET", create_url, fx.owner_token, NULL, NULL, &reply);
    assert_int_equal(json_integer_value(json_object_get(reply.json, "limit")), 2);
    assert_int_equal(json_array_size(json_object_get(reply.json, "webhooks")), 2);
    reply_free(&reply);

    fixture_request(&fx, "GET", meta_url, fx.owner_token, NULL, NULL, &reply);
    assert_int_equal(json_integer_value(json_object_get(reply.json, "limit")), 2);
    reply_free(&reply);

    /* The limit is per room. */
    json_decref(fixture_create_webhook(&fx, OTHER_ROOM, fx.other_token, "{\"label\":\"elsewhere\"}"));

    /* Deleting frees a slot. */
    fixture_request(&fx, "DELETE", delete_url, fx.owner_token, NULL, NULL, &reply);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    json_decref(fixture_create_webhook(&fx, ROOM, fx.owner_token, "{\"label\":\"three\"}"));

    free(create_url);
    free(meta_url);
    free(delete_url);
    json_decref(first);
    json_decref(second);
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void rate_limit_gives_429_with_retry_after(void **state)
{
    json_t *hook = fixture_create_webhook(&fx, OTHER_ROOM, fx.other_token, "{\"label\":\"busy\"}");
    const char *secret = json_string_value(json_object_get(hook, "secret"));
    struct reply reply;
    struct timespec start;
    struct timespec pause;
    long wait;
    (void)state;

    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(fixture_invoke(&fx, OTHER_ROOM, id_of(hook), secret, HELLO, NULL), 200);
    assert_int_equal(fixture_invoke(&fx, OTHER_ROOM, id_of(hook), secret, HELLO, NULL), 200);
    assert_int_equal(fixture_invoke(&fx, OTHER_ROOM, id_of(hook), secret, HELLO, &reply), 429);

    /* Two invokes a second: the test is only meaningful if all three
     * landed inside one window. */
    assert_true(seconds_since(&start) < 1.0);
    assert_non_null(reply.retry_after);
    wait = strtol(reply.retry_after, NULL, 10);
    assert_true(wait >= 1);
    assert_true(wait <= 1);
    assert_non_null(strstr(reply_error_text(&reply), "rate limit"));
    reply_free(&reply);

    /* Honouring Retry-After is enough. */
    pause.tv_sec = wait;
    pause.tv_nsec = 0;
    nanosleep(&pause, NULL);
    assert_int_equal(fixture_invoke(&fx, OTHER_ROOM, id_of(hook), secret, HELLO, NULL), 200);
    json_decref(hook);
}

static void rate_limit_is_per_webhook(void **state)
{
    /* OTHER_ROOM is full by now; a third room has free slots. */
    static const char *const add_room[] = { "room", "add", "third", "--owner", "olga", NULL };
    int added = test_server_command(fx.db, add_room, NULL, 0);
    json_t *busy = fixture_create_webhook(&fx, "third", fx.other_token, "{\"label\":\"busy2\"}");
    char *list_url = fixture_url(&fx, "webhooks/%R", "third", NULL);
    const char *secret = json_string_value(json_object_get(busy, "secret"));
    struct reply reply;
    size_t index;
    json_t *item;
    (void)state;

    assert_int_equal(added, 0);
    assert_int_equal(fixture_invoke(&fx, "third", id_of(busy), secret, HELLO, NULL), 200);
    assert_int_equal(fixture_invoke(&fx, "third", id_of(busy), secret, HELLO, NULL), 200);
    assert_int_equal(fixture_invoke(&fx, "third", id_of(busy), secret, HELLO, NULL), 429);

    /* A wrong secret is rejected before the limiter counts anything. */
    assert_int_equal(fixture_invoke(&fx, "third", id_of(busy), "whk_wrong", HELLO, NULL), 401);

    /* The management API is not rate limited. */
    for (int i = 0; i < 5; i++) {
        fixture_request(&fx, "GET", list_url, fx.other_token, NULL, NULL, &reply);
        assert_int_equal(reply.status, 200);
        if (i < 4)
            reply_free(&reply);
    }
    json_array_foreach(json_object_get(reply.json, "webhooks"), index, item)
        assert_non_null(json_object_get(item, "id"));
    reply_free(&reply);
    free(list_url);
    json_decref(busy);
}

#define RACERS 6

struct racer {
    pthread_t thread;
    char url[1024];
    long status;
};

static void *create_one(void *arg)
{
    struct racer *racer = arg;
    char header[4096];
    const char *headers[] = { header, "Content-Type: application/json", NULL };
    struct test_http_response response;

    snprintf(header, sizeof header, "Authorization: Bearer %s", fx.owner_token);
    if (test_http("POST", racer->url, headers, "{\"label\":\"racer\"}", (size_t)-1, &response) == 0)
        racer->status = response.status;
    test_http_response_free(&response);
    return NULL;
}

static void parallel_creates_respect_limit(void **state)
{
    static const char *const add_room[] = { "room", "add", "race", "--owner", "alice", NULL };
    struct racer racers[RACERS];
    char *url = fixture_url(&fx, "webhooks/%R", "race", NULL);
    int created = 0;
    int rejected = 0;
    (void)state;

    assert_int_equal(test_server_command(fx.db, add_room, NULL, 0), 0);
    memset(racers, 0, sizeof racers);
    for (int i = 0; i < RACERS; i++) {
        snprintf(racers[i].url, sizeof racers[i].url, "%s", url);
        assert_int_equal(pthread_create(&racers[i].thread, NULL, create_one, &racers[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) {
        pthread_join(racers[i].thread, NULL);
        created += racers[i].status == 201;
        rejected += racers[i].status == 409;
    }
    assert_int_equal(created, 2);
    assert_int_equal(rejected, RACERS - 2);
    free(url);
}

static void public_url_builds_invoke_url(void **state)
{
    static const char *const add_room[] = { "room", "add", "public room", "--owner", "alice", NULL };
    json_t *created;
    const char *invoke_url;
    const char *curl;
    (void)state;

    assert_int_equal(test_server_command(fx.db, add_room, NULL, 0), 0);
    created = fixture_create_webhook(&fx, "public room", fx.owner_token, "{\"label\":\"public\"}");
    invoke_url = json_string_value(json_object_get(created, "invokeUrl"));
    curl = json_string_value(json_object_get(created, "exampleCurl"));

    /* The trailing slash of --public-url is dropped. */
    assert_non_null(invoke_url);
    assert_true(strncmp(invoke_url, "https://hooks.example.test/base/api/webhooks/public%20room/", 59) == 0);
    assert_non_null(strstr(invoke_url, id_of(created)));
    assert_string_equal(invoke_url + strlen(invoke_url) - 7, "/invoke");
    assert_non_null(strstr(curl, invoke_url));
    assert_null(strstr(curl, json_string_value(json_object_get(created, "secret"))));
    json_decref(created);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(webhook_limit_gives_409),
        cmocka_unit_test(rate_limit_gives_429_with_retry_after),
        cmocka_unit_test(rate_limit_is_per_webhook),
        cmocka_unit_test(parallel_creates_respect_limit),
        cmocka_unit_test(public_url_builds_invoke_url),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
