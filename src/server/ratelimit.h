/* Per-webhook invoke rate limit: at most COUNT invokes in any sliding
 * window of SECONDS. The counts are in memory, so a restart clears them. */
#ifndef STAYHOOKS_SERVER_RATELIMIT_H
#define STAYHOOKS_SERVER_RATELIMIT_H

struct ratelimit;

/* Returns a new limiter or NULL. `count` and `seconds` must be positive. */
struct ratelimit *ratelimit_new(long count, long seconds);
void ratelimit_free(struct ratelimit *limiter);

/* Records one invoke of `webhook_id` and returns 0 when it is allowed.
 * Returns the seconds to wait (at least 1) when it is not, and a rejected
 * invoke is not recorded. Thread-safe. Returns -1 on out of memory. */
long ratelimit_take(struct ratelimit *limiter, const char *webhook_id);

/* Drops the counts of a deleted webhook. Thread-safe. */
void ratelimit_forget(struct ratelimit *limiter, const char *webhook_id);

#endif
