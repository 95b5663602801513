/*
 * test_load_crash.c: 32 threads invoke one webhook through libstayhooks for
 * a bounded time while stayhooks-server is killed with SIGKILL and
 * restarted on the same database. Every invoke carries a unique text.
 * Afterwards the room's messages are read back, and the test fails unless
 * every acknowledged (2xx) invoke is stored, and no text is stored twice.
 *
 * Prints: acknowledged, found, duplicated, plus the failures by kind and the
 * stored invokes that were never acknowledged (a crash between the commit
 * and the reply, which a client sees as "delivery unknown").
 *
 * Usage: test_load_crash [SECONDS [KILLS]]   (default 6 s, 3 kills)
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stayhooks.h"
#include "test_support.h"

#define CLIENT_THREADS 32
#define ROOM "stress room"
#define TEXT_SIZE 48

/* The shared state the main thread changes while the clients run. */
struct load {
    pthread_mutex_t lock;
    char base_url[256];   /* the server's current address */
    unsigned generation;  /* bumped on every restart */
    int stop;
    const char *webhook_id;
    const char *secret;
};

/* One client thread and what it saw. */
struct client_thread {
    pthread_t thread;
    struct load *load;
    int index;
    char (*acked)[TEXT_SIZE]; /* texts of the invokes that got a 2xx */
    size_t acked_count;
    size_t acked_capacity;
    long sent;
    long network_errors;      /* nothing sent or connection failed */
    long delivery_unknown;    /* sent, but no reply */
    long other_errors;        /* any other failure (an HTTP status) */
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Creates a client for `base_url` with short timeouts, so that a call to
 * a killed server ends quickly. POST retries stay on: the library retries
 * an invoke only when nothing was sent, which must not create duplicates. */
static stayhooks_client *new_client(const char *base_url)
{
    stayhooks_options opts;
    stayhooks_client *client = NULL;

    stayhooks_options_init(&opts);
    opts.base_url = base_url;
    opts.connect_timeout_ms = 2000;
    opts.timeout_ms = 5000;
    opts.retry.max_attempts = 3;
    opts.retry.base_delay_ms = 50;
    opts.retry.max_delay_ms = 200;
    opts.retry.deadline_ms = 2000;
    if (stayhooks_client_new(&opts, &client, NULL) != STAYHOOKS_OK)
        return NULL;
    return client;
}

static int remember(struct client_thread *t, const char *text)
{
    if (t->acked_count == t->acked_capacity) {
        size_t capacity = t->acked_capacity > 0 ? t->acked_capacity * 2 : 256;
        void *grown = realloc(t->acked, capacity * sizeof *t->acked);
        if (grown == NULL)
            return -1;
        t->acked = grown;
        t->acked_capacity = capacity;
    }
    snprintf(t->acked[t->acked_count++], TEXT_SIZE, "%s", text);
    return 0;
}

static void *run_client(void *arg)
{
    struct client_thread *t = arg;
    struct load *load = t->load;
    stayhooks_client *client = NULL;
    unsigned generation = (unsigned)-1;
    char base_url[256];

    for (long seq = 0;; seq++) {
        stayhooks_target target = { ROOM, load->webhook_id, NULL, load->secret };
        stayhooks_message message = { NULL, NULL, NULL };
        stayhooks_error *err = NULL;
        char text[TEXT_SIZE];
        int stop;
        int rc;

        /* After a restart the server has a new port, so the client is
         * created again for the new address. */
        pthread_mutex_lock(&load->lock);
        stop = load->stop;
        if (load->generation != generation) {
            generation = load->generation;
            snprintf(base_url, sizeof base_url, "%s", load->base_url);
            stayhooks_client_free(client);
            client = new_client(base_url);
        }
        pthread_mutex_unlock(&load->lock);
        if (stop)
            break;
        if (client == NULL) {
            t->other_errors++;
            break;
        }

        snprintf(text, sizeof text, "stress t%02d n%06ld", t->index, seq);
        message.text = text;
        t->sent++;
        rc = stayhooks_send_message(client, &target, &message, NULL, &err);
        if (rc == STAYHOOKS_OK) {
            if (remember(t, text) != 0)
                break;
        } else if (stayhooks_error_delivery_unknown(err)) {
            t->delivery_unknown++;
        } else if (rc == STAYHOOKS_ERR_NETWORK) {
            t->network_errors++;
            sleep_ms(20); /* the server is restarting; do not spin */
        } else {
            t->other_errors++;
            fprintf(stderr, "client %d: %s (status %ld): %s\n", t->index,
                    stayhooks_code_name((stayhooks_code)rc), stayhooks_error_status(err),
                    stayhooks_error_message(err));
        }
        stayhooks_error_free(err);
    }
    stayhooks_client_free(client);
    return NULL;
}

/* Creates the webhook through the library. Returns 0 and fills the IDs. */
static int create_webhook(const char *base_url, const char *token, char *id, size_t id_size,
                          char *secret, size_t secret_size)
{
    stayhooks_options opts;
    stayhooks_client *client = NULL;
    stayhooks_secret_bundle *bundle = NULL;
    stayhooks_error *err = NULL;
    int rc = -1;

    stayhooks_options_init(&opts);
    opts.base_url = base_url;
    opts.token = token;
    if (stayhooks_client_new(&opts, &client, &err) != STAYHOOKS_OK ||
        stayhooks_create_webhook(client, ROOM, "Stress bot", NULL, 0, &bundle, &err) !=
            STAYHOOKS_OK) {
        fprintf(stderr, "create webhook failed: %s\n",
                err != NULL ? stayhooks_error_message(err) : "out of memory");
        goto done;
    }
    snprintf(id, id_size, "%s", bundle->webhook.id);
    snprintf(secret, secret_size, "%s", bundle->secret);
    rc = 0;

done:
    stayhooks_secret_bundle_free(bundle);
    stayhooks_error_free(err);
    stayhooks_client_free(client);
    return rc;
}

/* Reads back the room's messages as a JSON array (new reference). */
static json_t *read_messages(const char *base_url, const char *token)
{
    char *room = test_percent_encode(ROOM);
    char url[512];
    char auth[1024];
    const char *headers[] = { auth, NULL };
    struct test_http_response response;
    json_t *reply = NULL;
    json_t *messages = NULL;

    snprintf(url, sizeof url, "%s/api/rooms/%s/messages", base_url, room);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    free(room);
    if (test_http("GET", url, headers, NULL, 0, &response) != 0)
        return NULL;
    if (response.status == 200)
        reply = json_loadb(response.body, response.body_len, 0, NULL);
    else
        fprintf(stderr, "read-back: HTTP %ld: %s\n", response.status, response.body);
    test_http_response_free(&response);
    messages = json_incref(json_object_get(reply, "messages"));
    json_decref(reply);
    return messages;
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Returns 1 when `text` is in the sorted array. */
static int is_stored(const char *const *sorted, size_t count, const char *text)
{
    return bsearch(&text, sorted, count, sizeof *sorted, compare_text) != NULL;
}

int main(int argc, char **argv)
{
    static const char *const server_args[] = { "--rate-limit", "1000000/1", NULL };
    const char *room_args[] = { "room", "add", ROOM, "--owner", "owner", NULL };
    long seconds = argc > 1 ? strtol(argv[1], NULL, 10) : 6;
    int kills = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
    struct client_thread threads[CLIENT_THREADS];
    struct test_server server;
    struct load load;
    char dir[TEST_PATH_MAX];
    char db[TEST_PATH_MAX];
    char webhook_id[128];
    char secret[128];
    char *token = NULL;
    json_t *messages = NULL;
    const char **stored = NULL;
    size_t stored_count = 0;
    long acknowledged = 0, found = 0, duplicated = 0, unacknowledged_stored = 0;
    long sent = 0, network_errors = 0, delivery_unknown = 0, other_errors = 0;
    int restarts = 0;
    int status = 1;

    if (seconds < 1 || seconds > 60 || kills < 0 || kills > 20) {
        fprintf(stderr, "usage: test_load_crash [SECONDS 1-60 [KILLS 0-20]]\n");
        return 2;
    }
    memset(&server, 0, sizeof server);
    memset(threads, 0, sizeof threads);
    memset(&load, 0, sizeof load);
    pthread_mutex_init(&load.lock, NULL);
    if (stayhooks_global_init() != STAYHOOKS_OK || test_temp_dir(dir, sizeof dir) != 0 ||
        test_path_join(db, sizeof db, dir, "server.db") != 0)
        return 1;

    if (test_server_start(&server, db, server_args) != 0 ||
        test_server_command(db, room_args, NULL, 0) != 0 ||
        (token = test_mint_token(db, "owner", 0)) == NULL ||
        create_webhook(server.base_url, token, webhook_id, sizeof webhook_id, secret,
                       sizeof secret) != 0)
        goto done;

    snprintf(load.base_url, sizeof load.base_url, "%s", server.base_url);
    load.webhook_id = webhook_id;
    load.secret = secret;
    for (int i = 0; i < CLIENT_THREADS; i++) {
        threads[i].load = &load;
        threads[i].index = i;
        if (pthread_create(&threads[i].thread, NULL, run_client, &threads[i]) != 0) {
            fprintf(stderr, "cannot start client thread %d\n", i);
            load.stop = 1;
            goto done;
        }
    }

    /* Kill and restart the server at even intervals inside the load. */
    {
        long long start = now_ms();
        long long end = start + seconds * 1000;
        long interval = seconds * 1000 / (kills + 1);

        for (int k = 1; k <= kills; k++) {
            long long at = start + (long long)k * interval;
            while (now_ms() < at)
                sleep_ms(10);
            test_server_kill(&server);
            if (test_server_restart(&server) != 0) {
                fprintf(stderr, "restart %d failed; see %s\n", k, server.log_path);
                break;
            }
            restarts++;
            pthread_mutex_lock(&load.lock);
            snprintf(load.base_url, sizeof load.base_url, "%s", server.base_url);
            load.generation++;
            pthread_mutex_unlock(&load.lock);
        }
        while (now_ms() < end)
            sleep_ms(10);
    }
    pthread_mutex_lock(&load.lock);
    load.stop = 1;
    pthread_mutex_unlock(&load.lock);
    for (int i = 0; i < CLIENT_THREADS; i++)
        pthread_join(threads[i].thread, NULL);

    /* Read back from the server as it runs after the last restart. */
    messages = read_messages(server.base_url, token);
    if (!json_is_array(messages)) {
        fprintf(stderr, "read-back failed\n");
        goto done;
    }
    stored_count = json_array_size(messages);
    stored = calloc(stored_count + 1, sizeof *stored);
    if (stored == NULL)
        goto done;
    for (size_t i = 0; i < stored_count; i++) {
        const char *text = json_string_value(json_object_get(json_array_get(messages, i), "text"));
        stored[i] = text != NULL ? text : "";
    }
    qsort(stored, stored_count, sizeof *stored, compare_text);
    for (size_t i = 1; i < stored_count; i++) {
        if (strcmp(stored[i], stored[i - 1]) == 0) {
            duplicated++;
            fprintf(stderr, "stored twice: %s\n", stored[i]);
        }
    }

    for (int i = 0; i < CLIENT_THREADS; i++) {
        struct client_thread *t = &threads[i];

        sent += t->sent;
        network_errors += t->network_errors;
        delivery_unknown += t->delivery_unknown;
        other_errors += t->other_errors;
        acknowledged += (long)t->acked_count;
        for (size_t j = 0; j < t->acked_count; j++) {
            if (is_stored(stored, stored_count, t->acked[j]))
                found++;
            else
                fprintf(stderr, "acknowledged but not stored: %s\n", t->acked[j]);
        }
    }
    unacknowledged_stored = (long)stored_count - duplicated - found;

    printf("load-and-crash: %d client threads, %ld s, %d SIGKILL restarts\n", CLIENT_THREADS,
           seconds, restarts);
    printf("invokes sent:      %ld\n", sent);
    printf("acknowledged:      %ld\n", acknowledged);
    printf("found:             %ld\n", found);
    printf("duplicated:        %ld\n", duplicated);
    printf("stored, not acknowledged: %ld\n", unacknowledged_stored);
    printf("failed: %ld network, %ld delivery unknown, %ld other\n", network_errors,
           delivery_unknown, other_errors);

    status = 0;
    if (restarts != kills) {
        fprintf(stderr, "FAIL: %d of %d restarts succeeded\n", restarts, kills);
        status = 1;
    }
    if (acknowledged == 0) {
        fprintf(stderr, "FAIL: no invoke was acknowledged\n");
        status = 1;
    }
    if (found != acknowledged) {
        fprintf(stderr, "FAIL: %ld acknowledged invokes are missing\n", acknowledged - found);
        status = 1;
    }
    if (duplicated != 0) {
        fprintf(stderr, "FAIL: %ld texts are stored more than once\n", duplicated);
        status = 1;
    }
    if (other_errors != 0) {
        fprintf(stderr, "FAIL: %ld invokes failed with an unexpected error\n", other_errors);
        status = 1;
    }

done:
    if (server.pid > 0 && test_server_stop(&server) != 0) {
        fprintf(stderr, "FAIL: the server did not stop cleanly; see %s\n", server.log_path);
        status = 1;
    }
    if (status == 0)
        test_remove_tree(dir);
    else
        fprintf(stderr, "kept %s for inspection\n", dir);
    for (int i = 0; i < CLIENT_THREADS; i++)
        free(threads[i].acked);
    free(stored);
    json_decref(messages);
    free(token);
    pthread_mutex_destroy(&load.lock);
    return status;
}
