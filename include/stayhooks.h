/*
 * stayhooks.h: client library for StayHere room webhooks.
 *
 * The library manages a room's webhooks with the room owner's bearer token
 * (list, create, update, rotate the secret, delete, list permitted actions)
 * and invokes webhooks with their secret (message, embed, poll, board image,
 * or a raw action).
 *
 * Conventions used by every call in this header:
 *
 *  - Every fallible call returns a stayhooks_code: STAYHOOKS_OK (zero) on
 *    success, otherwise the class of the error. When the call fails and `err`
 *    is not NULL, `*err` receives a new error object that the caller frees
 *    with stayhooks_error_free(). On success `*err` is left untouched.
 *  - Results come back through `out` parameters. The caller owns them and
 *    frees them with the matching stayhooks_*_free() function, never with
 *    plain free(). Every free function accepts NULL.
 *  - Strings are UTF-8 and NUL-terminated. Input strings are borrowed for the
 *    length of the call only.
 *  - Free-form JSON is passed and returned as text, so callers need no JSON
 *    library of ours.
 *  - Validation happens before any network traffic: a call that fails with
 *    STAYHOOKS_ERR_VALIDATION sent nothing.
 *  - The token and webhook secrets never appear in an error message, and the
 *    log callback receives lines with them already replaced by "<redacted>".
 *    Any run of 8 or more characters taken from them is hidden too, so a
 *    server that echoes part of a secret does not reveal it. A credential
 *    shorter than 8 characters is hidden only where no ASCII letter, digit
 *    or '_' touches it, so that ordinary words stay readable.
 *
 * Threads: stayhooks_global_init() may be called from any thread, any number
 * of times. A stayhooks_client is used by one thread at a time; different
 * clients may be used from different threads at once. Error and result
 * objects are plain data and may move between threads.
 */
#ifndef STAYHOOKS_H
#define STAYHOOKS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(STAYHOOKS_BUILDING) && defined(__GNUC__)
#define STAYHOOKS_EXTERN __attribute__((visibility("default")))
#else
#define STAYHOOKS_EXTERN
#endif

#define STAYHOOKS_VERSION_MAJOR 0
#define STAYHOOKS_VERSION_MINOR 1
#define STAYHOOKS_VERSION_PATCH 0
#define STAYHOOKS_VERSION "0.1.0"

/* Version of the library that is linked at run time, e.g. "0.1.0". */
STAYHOOKS_EXTERN const char *stayhooks_version(void);

/*
 * Initialises libcurl's global state once per process. Safe to call from any
 * thread and any number of times; stayhooks_client_new() calls it too.
 * Returns STAYHOOKS_OK or STAYHOOKS_ERR_INTERNAL.
 */
STAYHOOKS_EXTERN int stayhooks_global_init(void);

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * Result of every fallible call. Every non-zero value is a StayHere error,
 * so `rc != STAYHOOKS_OK` catches all of them at once.
 */
typedef enum stayhooks_code {
    STAYHOOKS_OK = 0,
    /* Bad arguments, caught before any request was made. */
    STAYHOOKS_ERR_VALIDATION = 1,
    /* HTTP 401 or 403, or a management call made without a token. */
    STAYHOOKS_ERR_AUTH = 2,
    /* Any other non-2xx status, including 3xx (redirects are not followed). */
    STAYHOOKS_ERR_HTTP = 3,
    /* A 2xx reply whose body is not the JSON the call expects. */
    STAYHOOKS_ERR_INVALID_RESPONSE = 4,
    /* Server unreachable, connection failed or timed out. */
    STAYHOOKS_ERR_NETWORK = 5,
    /* Out of memory or a failure inside libcurl's set-up. */
    STAYHOOKS_ERR_INTERNAL = 6
} stayhooks_code;

typedef struct stayhooks_error stayhooks_error;

/* Returns the class of `err` (never STAYHOOKS_OK for a non-NULL error). */
STAYHOOKS_EXTERN stayhooks_code stayhooks_error_code(const stayhooks_error *err);

/* Returns a short lower-case name for a code: "validation", "auth", "http",
 * "invalid_response", "network", "internal" or "ok". Static storage. */
STAYHOOKS_EXTERN const char *stayhooks_code_name(stayhooks_code code);

/* Returns the HTTP status of the reply behind the error, or 0 when no reply
 * was received. A management call without a token reports 401. */
STAYHOOKS_EXTERN long stayhooks_error_status(const stayhooks_error *err);

/* Returns a one-line message: the server's `error` member when the reply had
 * one, else the raw reply body, else a description of what failed. Never
 * contains the token or a secret. Borrowed from `err`. */
STAYHOOKS_EXTERN const char *stayhooks_error_message(const stayhooks_error *err);

/* Returns the raw body of the failed reply, or NULL when there was none.
 * Borrowed from `err`. */
STAYHOOKS_EXTERN const char *stayhooks_error_body(const stayhooks_error *err);

/* Returns the reply body re-encoded as compact JSON when it parsed as JSON,
 * else NULL. Borrowed from `err`. */
STAYHOOKS_EXTERN const char *stayhooks_error_payload_json(const stayhooks_error *err);

/* Returns the Location header of a 3xx reply, else NULL. Borrowed. */
STAYHOOKS_EXTERN const char *stayhooks_error_location(const stayhooks_error *err);

/* Returns 1 when a network error happened after the whole request was sent,
 * so the server may have acted on it ("delivery unknown"), else 0. */
STAYHOOKS_EXTERN int stayhooks_error_delivery_unknown(const stayhooks_error *err);

/* Returns the wait in seconds that the server asked for with Retry-After on
 * the last reply, or a negative value when it asked for none. */
STAYHOOKS_EXTERN double stayhooks_error_retry_after(const stayhooks_error *err);

/* Returns how many HTTP attempts the call made (0 when it failed before
 * sending anything). */
STAYHOOKS_EXTERN int stayhooks_error_attempts(const stayhooks_error *err);

/* Frees an error. Accepts NULL. */
STAYHOOKS_EXTERN void stayhooks_error_free(stayhooks_error *err);

/* ---------------------------------------------------------------------- */
/* Client                                                                  */
/* ---------------------------------------------------------------------- */

typedef enum stayhooks_log_level {
    STAYHOOKS_LOG_DEBUG = 0, /* request and reply lines, redacted */
    STAYHOOKS_LOG_INFO = 1,  /* retries and waits */
    STAYHOOKS_LOG_WARN = 2
} stayhooks_log_level;

/*
 * Receives one log line, without a trailing newline. The token and secrets
 * are already replaced by "<redacted>". `line` is valid only during the
 * call. Called on the thread that made the library call.
 */
typedef void (*stayhooks_log_fn)(void *userdata, stayhooks_log_level level,
                                 const char *line);

/*
 * Retry policy. Delays grow exponentially from `base_delay_ms` with random
 * jitter and never exceed `max_delay_ms`; no retry starts after
 * `deadline_ms` from the start of the call. A 429 reply's Retry-After is
 * honoured; with no deadline, a Retry-After longer than `max_delay_ms`
 * fails the call at once instead. An invoke is retried only when the server
 * surely did not act on it: a failed connect, 429, or 503 with Retry-After.
 * A failed TLS certificate check is never retried. Set `max_attempts` to 1
 * to turn retries off. Each zero field takes its own default, so setting
 * one field never changes another. A zero `deadline_ms` is never shorter
 * than the client's `timeout_ms`: with a timeout above 30000 ms, the
 * default deadline equals the timeout.
 */
typedef struct stayhooks_retry_policy {
    int max_attempts;   /* total attempts including the first; default 3 */
    long base_delay_ms; /* default 200 */
    long max_delay_ms;  /* default 5000 */
    long deadline_ms;   /* whole call, all attempts; 0 = default 30000;
                           negative = no deadline */
} stayhooks_retry_policy;

#define STAYHOOKS_OPTIONS_VERSION 1

/*
 * Options for stayhooks_client_new(). Initialise with
 * stayhooks_options_init() (or STAYHOOKS_OPTIONS_INIT) and set what you
 * need; NULL strings and zero numbers mean "use the default". The struct and
 * its strings are copied by stayhooks_client_new(); none is kept.
 *
 * The proxy comes from the environment at each call, first match wins:
 * http_proxy or HTTP_PROXY for http://, https_proxy or HTTPS_PROXY for
 * https://, then all_proxy or ALL_PROXY. no_proxy or NO_PROXY lists hosts
 * that bypass it. An empty variable counts as unset.
 */
typedef struct stayhooks_options {
    unsigned int version;      /* STAYHOOKS_OPTIONS_VERSION */
    const char *base_url;      /* default "http://localhost:3000"; must be
                                  http:// or https:// */
    const char *token;         /* bearer token for management calls */
    const char *api_prefix;    /* NULL means "/api"; "" means no prefix;
                                  "api", " api/ " are read as "/api" */
    const char *user_agent;    /* default "stayhooks/<version>" */
    const char *default_alias; /* alias for messages and embeds without one */
    long connect_timeout_ms;   /* default 10000 */
    long timeout_ms;           /* per attempt, default 30000 */
    const char *ca_file;       /* PEM bundle to verify TLS peers with */
    int insecure;              /* 1 turns TLS verification off */
    size_t max_response_bytes; /* reply body cap, default 1 MiB */
    stayhooks_retry_policy retry; /* all zero means the defaults above */
    int dry_run;               /* 1: validate and build, send nothing */
    stayhooks_log_fn log;      /* NULL: no logging */
    void *log_userdata;
} stayhooks_options;

#define STAYHOOKS_OPTIONS_INIT \
    { STAYHOOKS_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, 0, \
      0, { 0, 0, 0, 0 }, 0, NULL, NULL }

/* Fills `opts` with STAYHOOKS_OPTIONS_INIT. */
STAYHOOKS_EXTERN void stayhooks_options_init(stayhooks_options *opts);

typedef struct stayhooks_client stayhooks_client;

/*
 * Creates a client from `opts` (NULL means all defaults). The client keeps
 * one connection alive across calls. Free it with stayhooks_client_free().
 *
 * Fails with STAYHOOKS_ERR_VALIDATION for any of these:
 *  - a base URL that is not an http:// or https:// URL with a host. It may
 *    have a port from 1 to 65535 and a path, but no user name, password,
 *    query or fragment;
 *  - an API prefix that breaks these rules once appended;
 *  - a token or User-Agent that contains a control character;
 *  - a `ca_file` that cannot be opened.
 */
STAYHOOKS_EXTERN int stayhooks_client_new(const stayhooks_options *opts,
                                          stayhooks_client **out,
                                          stayhooks_error **err);

/*
 * Creates a client like stayhooks_client_new(), taking `base_url` from
 * STAYHERE_BASE_URL and `token` from STAYHERE_TOKEN when `opts` leaves them
 * NULL. Explicit options win over the environment.
 */
STAYHOOKS_EXTERN int stayhooks_client_new_from_env(const stayhooks_options *opts,
                                                   stayhooks_client **out,
                                                   stayhooks_error **err);

/* Frees a client and closes its connections. Accepts NULL. */
STAYHOOKS_EXTERN void stayhooks_client_free(stayhooks_client *client);

/*
 * In dry-run mode, returns the last request that a call built, as compact
 * JSON {"method", "url", "headers": {...}, "body": <JSON or null>} with the
 * token and secret shown as "<redacted>"; NULL before the first call.
 * Borrowed from `client`, valid until its next call.
 */
STAYHOOKS_EXTERN const char *stayhooks_client_last_request(const stayhooks_client *client);

/* ---------------------------------------------------------------------- */
/* Results                                                                 */
/* ---------------------------------------------------------------------- */

/* A webhook as the server describes it. Absent or null members are NULL. */
typedef struct stayhooks_webhook {
    char *id;
    char *label;
    char **permissions;      /* subset of message, embed, poll, image */
    size_t permission_count;
    int paused;              /* 1 when paused */
    char *created_at;        /* ISO 8601 UTC */
    char *created_by;
    char *last_used_at;      /* NULL until the first successful invoke */
    char *secret_preview;
    char *invoke_url;
    char *example_curl;      /* never contains the secret itself */
} stayhooks_webhook;

typedef struct stayhooks_webhook_list {
    char *room_id;
    long limit;              /* the room's webhook limit, -1 when absent */
    stayhooks_webhook *webhooks;
    size_t count;
} stayhooks_webhook_list;

/* Reply of create and rotate: the only time the secret is shown. */
typedef struct stayhooks_secret_bundle {
    stayhooks_webhook webhook;
    char *secret;
    char *invoke_url;        /* top level wins over the webhook's own */
    char *example_curl;
} stayhooks_secret_bundle;

typedef struct stayhooks_permitted_actions {
    char **actions;
    size_t count;
    long limit;              /* -1 when absent */
} stayhooks_permitted_actions;

typedef struct stayhooks_invoke_result {
    int ok;
    char *kind;              /* "message", "embed", "poll", "image" */
    char *message_id;        /* NULL when the action made none */
    char *poll_id;           /* NULL when the action made none */
    char *extra_json;        /* other reply members as a JSON object, "{}" if none */
} stayhooks_invoke_result;

STAYHOOKS_EXTERN void stayhooks_webhook_free(stayhooks_webhook *webhook);
STAYHOOKS_EXTERN void stayhooks_webhook_list_free(stayhooks_webhook_list *list);
STAYHOOKS_EXTERN void stayhooks_secret_bundle_free(stayhooks_secret_bundle *bundle);
STAYHOOKS_EXTERN void stayhooks_permitted_actions_free(stayhooks_permitted_actions *actions);
STAYHOOKS_EXTERN void stayhooks_invoke_result_free(stayhooks_invoke_result *result);

/* ---------------------------------------------------------------------- */
/* Management calls (bearer token of the room's owner or an admin)         */
/* ---------------------------------------------------------------------- */

/* GET /webhooks/{room}. */
STAYHOOKS_EXTERN int stayhooks_list_webhooks(stayhooks_client *client,
                                             const char *room_id,
                                             stayhooks_webhook_list **out,
                                             stayhooks_error **err);

/*
 * POST /webhooks/{room}. `label` is required: NULL is a validation error,
 * and the server judges its length. `permissions` NULL requests
 * the default set (message, embed, poll, image). Names are trimmed, lower-cased and
 * de-duplicated in order; an unknown name or an explicitly empty list
 * (non-NULL with `permission_count` 0) is a validation error.
 */
STAYHOOKS_EXTERN int stayhooks_create_webhook(stayhooks_client *client,
                                              const char *room_id,
                                              const char *label,
                                              const char *const *permissions,
                                              size_t permission_count,
                                              stayhooks_secret_bundle **out,
                                              stayhooks_error **err);

/* Fields of an update; NULL or -1 leaves a field unchanged. */
typedef struct stayhooks_webhook_update {
    const char *label;
    const char *const *permissions; /* same rules as create */
    size_t permission_count;
    int paused;                     /* -1 unchanged, 0 resume, 1 pause */
} stayhooks_webhook_update;

#define STAYHOOKS_WEBHOOK_UPDATE_INIT { NULL, NULL, 0, -1 }

/* PATCH /webhooks/{room}/{webhook}. An update that changes nothing is sent
 * without a body. `update` NULL means no change. */
STAYHOOKS_EXTERN int stayhooks_update_webhook(stayhooks_client *client,
                                              const char *room_id,
                                              const char *webhook_id,
                                              const stayhooks_webhook_update *update,
                                              stayhooks_webhook **out,
                                              stayhooks_error **err);

/* POST /webhooks/{room}/{webhook}/rotate. The old secret stops working. */
STAYHOOKS_EXTERN int stayhooks_rotate_secret(stayhooks_client *client,
                                             const char *room_id,
                                             const char *webhook_id,
                                             stayhooks_secret_bundle **out,
                                             stayhooks_error **err);

/* DELETE /webhooks/{room}/{webhook}. `*ok_out` (may be NULL) receives the
 * reply's `ok`; an empty reply or one without `ok` means 1. */
STAYHOOKS_EXTERN int stayhooks_delete_webhook(stayhooks_client *client,
                                              const char *room_id,
                                              const char *webhook_id,
                                              int *ok_out,
                                              stayhooks_error **err);

/* GET /webhooks/{room}/meta/permitted-actions. */
STAYHOOKS_EXTERN int stayhooks_get_permitted_actions(stayhooks_client *client,
                                                     const char *room_id,
                                                     stayhooks_permitted_actions **out,
                                                     stayhooks_error **err);

/* ---------------------------------------------------------------------- */
/* Invokes (webhook secret, never the bearer token)                        */
/* ---------------------------------------------------------------------- */

/*
 * Which webhook to invoke: either `invoke_url` (used as is, with the same
 * rules as a base URL), or `room_id` and `webhook_id` (the path is built
 * from the base URL and prefix). `secret` is required and must not
 * contain a control character.
 */
typedef struct stayhooks_target {
    const char *room_id;
    const char *webhook_id;
    const char *invoke_url;
    const char *secret;
} stayhooks_target;

typedef struct stayhooks_message {
    const char *text;       /* trimmed; must not be empty */
    const char *alias;      /* NULL: the client's default alias, if any */
    const char *extra_json; /* JSON object merged into the payload; its
                               members override the built ones */
} stayhooks_message;

/*
 * An embed card. Fields that are NULL or empty are left out. Notes become
 * "• note" lines appended to the trimmed description after a blank line.
 */
typedef struct stayhooks_embed {
    const char *title;
    const char *description;
    const char *color;          /* "#RGB" or "#RRGGBB" */
    const char *url;
    const char *image;
    const char *footer;
    const char *const *notes;
    size_t note_count;
    const char *text;           /* optional message text beside the card */
    const char *alias;
    const char *extra_embed_json; /* JSON object merged into the embed */
} stayhooks_embed;

typedef struct stayhooks_poll {
    const char *question;
    const char *const *options; /* trimmed, blanks dropped; 2 to 8 remain */
    size_t option_count;
    int multiple_choice;
    int ends_in_minutes;        /* sent only when positive */
} stayhooks_poll;

typedef struct stayhooks_image {
    const char *url;            /* absolute http:// or https:// URL */
    int has_size;               /* 1 sends w and h */
    int w, h;
    int has_position;           /* 1 sends x and y */
    int x, y;
} stayhooks_image;

STAYHOOKS_EXTERN int stayhooks_send_message(stayhooks_client *client,
                                            const stayhooks_target *target,
                                            const stayhooks_message *message,
                                            stayhooks_invoke_result **out,
                                            stayhooks_error **err);

STAYHOOKS_EXTERN int stayhooks_send_embed(stayhooks_client *client,
                                          const stayhooks_target *target,
                                          const stayhooks_embed *embed,
                                          stayhooks_invoke_result **out,
                                          stayhooks_error **err);

STAYHOOKS_EXTERN int stayhooks_send_poll(stayhooks_client *client,
                                         const stayhooks_target *target,
                                         const stayhooks_poll *poll,
                                         stayhooks_invoke_result **out,
                                         stayhooks_error **err);

STAYHOOKS_EXTERN int stayhooks_send_image(stayhooks_client *client,
                                          const stayhooks_target *target,
                                          const stayhooks_image *image,
                                          stayhooks_invoke_result **out,
                                          stayhooks_error **err);

/*
 * POST {"action": action, "payload": payload} to the invoke endpoint.
 * `payload_json` is a JSON object as text (NULL means {}).
 */
STAYHOOKS_EXTERN int stayhooks_invoke(stayhooks_client *client,
                                      const stayhooks_target *target,
                                      const char *action,
                                      const char *payload_json,
                                      stayhooks_invoke_result **out,
                                      stayhooks_error **err);

/* ---------------------------------------------------------------------- */
/* Batches: many invokes over a few parallel connections                   */
/* ---------------------------------------------------------------------- */

/*
 * A queue of invokes that stayhooks_batch_run() delivers over a bounded
 * number of parallel, kept-alive connections (libcurl's multi interface).
 * Items may mix rooms, webhooks, secrets, invoke URLs and actions. Each
 * item follows the client's retry policy on its own, with the same rules
 * as a single call. Results come back per item, in the order the items
 * were added.
 *
 * Threads: a batch borrows its client. Use the batch and the client from
 * one thread at a time, and do not use the client elsewhere while
 * stayhooks_batch_run() runs. The client must outlive the batch.
 */
typedef struct stayhooks_batch stayhooks_batch;

/*
 * Reports progress after each item finishes: `done` items of `total` have
 * a result or an error. Called on the thread that runs the batch.
 */
typedef void (*stayhooks_batch_progress_fn)(void *userdata, size_t done, size_t total);

/* Creates an empty batch that sends through `client` (borrowed). Free
 * with stayhooks_batch_free(). */
STAYHOOKS_EXTERN int stayhooks_batch_new(stayhooks_client *client, stayhooks_batch **out,
                                         stayhooks_error **err);

/*
 * Queues one invoke. Each add function checks its input the way the
 * matching single call does (stayhooks_invoke(), stayhooks_send_message()
 * and so on) when it is called: an invalid item fails with
 * STAYHOOKS_ERR_VALIDATION and is not queued, so the batch's indexes count
 * only queued items. Every string is copied, so the arguments may be freed
 * after the call.
 */
STAYHOOKS_EXTERN int stayhooks_batch_add_invoke(stayhooks_batch *batch,
                                                const stayhooks_target *target,
                                                const char *action, const char *payload_json,
                                                stayhooks_error **err);
STAYHOOKS_EXTERN int stayhooks_batch_add_message(stayhooks_batch *batch,
                                                 const stayhooks_target *target,
                                                 const stayhooks_message *message,
                                                 stayhooks_error **err);
STAYHOOKS_EXTERN int stayhooks_batch_add_embed(stayhooks_batch *batch,
                                               const stayhooks_target *target,
                                               const stayhooks_embed *embed,
                                               stayhooks_error **err);
STAYHOOKS_EXTERN int stayhooks_batch_add_poll(stayhooks_batch *batch,
                                              const stayhooks_target *target,
                                              const stayhooks_poll *poll,
                                              stayhooks_error **err);
STAYHOOKS_EXTERN int stayhooks_batch_add_image(stayhooks_batch *batch,
                                               const stayhooks_target *target,
                                               const stayhooks_image *image,
                                               stayhooks_error **err);

/*
 * Delivers every queued item that has not been delivered yet, with at
 * most `max_parallel` transfers running at once (1 to
 * STAYHOOKS_BATCH_MAX_PARALLEL). A failed item does not stop the others.
 * `progress` may be NULL. Returns STAYHOOKS_OK once every item has a
 * result or an error, even when some items failed. It fails without
 * sending anything with STAYHOOKS_ERR_VALIDATION for a bad `max_parallel`,
 * and with STAYHOOKS_ERR_INTERNAL when libcurl cannot be set up. In
 * dry-run mode nothing is sent, every item succeeds with a NULL result,
 * and stayhooks_client_last_request() shows the last item's request.
 */
STAYHOOKS_EXTERN int stayhooks_batch_run(stayhooks_batch *batch, int max_parallel,
                                         stayhooks_batch_progress_fn progress,
                                         void *progress_userdata, stayhooks_error **err);

#define STAYHOOKS_BATCH_MAX_PARALLEL 256

/* Returns the number of queued items (0 for NULL). */
STAYHOOKS_EXTERN size_t stayhooks_batch_count(const stayhooks_batch *batch);

/*
 * Reads the outcome of item `index` (0-based, in the order of the adds).
 * Returns STAYHOOKS_OK with `*result` set when the item was delivered, or
 * the item's error code with `*error` set when it failed. The other
 * pointer is set to NULL. Both are borrowed from the batch until it is
 * freed. An index out of range, or an item that has not run yet, returns
 * STAYHOOKS_ERR_VALIDATION with both pointers NULL. Either pointer
 * argument may be NULL.
 */
STAYHOOKS_EXTERN int stayhooks_batch_result(const stayhooks_batch *batch, size_t index,
                                            const stayhooks_invoke_result **result,
                                            const stayhooks_error **error);

/* Returns how many new connections the last stayhooks_batch_run() opened
 * (libcurl's CURLINFO_NUM_CONNECTS summed over its transfers). Idle
 * connections stay open for reuse, up to `max_parallel` per origin. */
STAYHOOKS_EXTERN long stayhooks_batch_connection_count(const stayhooks_batch *batch);

/*
 * Called once for each item that ends during stayhooks_batch_run(), right
 * after it gets its result or error, with the item's 0-based index. Items
 * end in any order, so a caller that prints results in input order keeps
 * them until the earlier ones have ended. Called on the thread that runs
 * the batch.
 */
typedef void (*stayhooks_batch_item_fn)(void *userdata, size_t index);

/* Sets or, with NULL, clears the per-item callback of `batch`. */
STAYHOOKS_EXTERN void stayhooks_batch_set_item_callback(stayhooks_batch *batch,
                                                        stayhooks_batch_item_fn on_item,
                                                        void *userdata);

/*
 * Asks the running (or next) stayhooks_batch_run() to stop. The first
 * request stops it from starting items. Items that have not started, and
 * items waiting to retry after an attempt that surely had no effect, stay
 * queued: stayhooks_batch_result() reports them as not run, and a later
 * stayhooks_batch_run() sends them. Transfers in flight finish normally.
 * A second request also aborts them, and each gets a network error with
 * stayhooks_error_delivery_unknown() set. The run notices a request
 * within about one second and then returns STAYHOOKS_OK, and it clears
 * the requests when it returns. Safe to call from a signal handler,
 * because it only stores to a volatile sig_atomic_t.
 */
STAYHOOKS_EXTERN void stayhooks_batch_cancel(stayhooks_batch *batch);

/* Frees a batch, its copies of the secrets and its results. Accepts
 * NULL. */
STAYHOOKS_EXTERN void stayhooks_batch_free(stayhooks_batch *batch);

#ifdef __cplusplus
}
#endif

#endif /* STAYHOOKS_H */
