#define _POSIX_C_SOURCE 200809L
#include "ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Times of the last `count` allowed invokes of one webhook, as a ring. */
struct bucket {
    char *webhook_id;
    long long *times_ms;
    long used;
    long next;
    struct bucket *next_bucket;
};

struct ratelimit {
    pthread_mutex_t lock;
    long count;
    long long window_ms;
    /* NOTE: buckets are a linked list searched linearly, one per webhook
     * that exists and was invoked. That suits a local server with few
     * webhooks, not thousands. */
    struct bucket *buckets;
};

static long long monotonic_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000LL + now.tv_nsec / 1000000L;
}

struct ratelimit *ratelimit_new(long count, long seconds)
{
    struct ratelimit *limiter = calloc(1, sizeof *limiter);

    if (limiter == NULL)
        return NULL;
    if (pthread_mutex_init(&limiter->lock, NULL) != 0) {
        free(limiter);
        return NULL;
    }
    limiter->count = count;
    limiter->window_ms = (long long)seconds * 1000LL;
    return limiter;
}

void ratelimit_free(struct ratelimit *limiter)
{
    if (limiter == NULL)
        return;
    while (limiter->buckets != NULL) {
        struct bucket *b = limiter->buckets;
        limiter->buckets = b->next_bucket;
        free(b->webhook_id);
        free(b->times_ms);
        free(b);
    }
    pthread_mutex_destroy(&limiter->lock);
    free(limiter);
}

static struct bucket *find_or_add(struct ratelimit *limiter, const char *webhook_id)
{
    struct bucket *b;

    for (b = limiter->buckets; b != NULL; b = b->next_bucket) {
        if (strcmp(b->webhook_id, webhook_id) == 0)
            return b;
    }
    b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->webhook_id = strdup(webhook_id);
    b->times_ms = calloc((size_t)limiter->count, sizeof *b->times_ms);
    if (b->webhook_id == NULL || b->times_ms == NULL) {
        free(b->webhook_id);
        free(b->times_ms);
        free(b);
        return NULL;
    }
    b->next_bucket = limiter->buckets;
    limiter->buckets = b;
    return b;
}

long ratelimit_take(struct ratelimit *limiter, const char *webhook_id)
{
    long long now = monotonic_ms();
    long wait = -1;
    struct bucket *b;

    pthread_mutex_lock(&limiter->lock);
    b = find_or_add(limiter, webhook_id);
    if (b == NULL)
        goto done;

    /* With the ring full, `next` points at the oldest of the last `count`
     * invokes; a new one is allowed once that one leaves the window. */
    if (b->used == limiter->count) {
        long long oldest = b->times_ms[b->next];
        long long free_at = oldest + limiter->window_ms;
        if (free_at > now) {
            long long ms = free_at - now;
            wait = (long)((ms + 999) / 1000);
            goto done;
        }
    }

    b->times_ms[b->next] = now;
    b->next = (b->next + 1) % limiter->count;
    if (b->used < limiter->count)
        b->used++;
    wait = 0;

done:
    pthread_mutex_unlock(&limiter->lock);
    return wait;
}

void ratelimit_forget(struct ratelimit *limiter, const char *webhook_id)
{
    struct bucket **link;

    pthread_mutex_lock(&limiter->lock);
    for (link = &limiter->buckets; *link != NULL; link = &(*link)->next_bucket) {
        struct bucket *b = *link;
        if (strcmp(b->webhook_id, webhook_id) != 0)
            continue;
        *link = b->next_bucket;
        free(b->webhook_id);
        free(b->times_ms);
        free(b);
        break;
    }
    pthread_mutex_unlock(&limiter->lock);
}
