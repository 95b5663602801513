/*
 * fixture.h: one running stayhooks-server per test group, with a room
 * "team/alpha beta" (owner alice, admin adam, member mia) and a second room
 * "other" (owner olga), plus JSON request helpers.
 */
#ifndef STAYHOOKS_TEST_SERVER_FIXTURE_H
#define STAYHOOKS_TEST_SERVER_FIXTURE_H

#include <jansson.h>
#include <stddef.h>

#include "test_support.h"

#define ROOM "team/alpha beta"
#define OTHER_ROOM "other"

struct fixture {
    char dir[TEST_PATH_MAX];
    char db[TEST_PATH_MAX];
    struct test_server server;
    char *owner_token;    /* alice, owner of ROOM */
    char *admin_token;    /* adam, admin of ROOM */
    char *member_token;   /* mia, member of ROOM */
    char *stranger_token; /* sam, in no room */
    char *other_token;    /* olga, owner of OTHER_ROOM */
};

/* A reply with its body parsed; `json` is NULL when the body is not JSON. */
struct reply {
    long status;
    json_t *json;
    char *body;
    char *retry_after;    /* Retry-After header or NULL */
    char *allow;          /* Allow header or NULL */
};

/* Starts a server with `extra_args` (NULL-ended, may be NULL; kept
 * borrowed), adds the rooms and mints the tokens. Returns 0 or -1. */
int fixture_setup(struct fixture *fx, const char *const *extra_args);
/* Stops the server and removes the temp dir. Returns -1 when the server
 * did not exit with status 0 after SIGTERM. */
int fixture_teardown(struct fixture *fx);

/* Builds "{base}/api/{path}" where %R in `path` is replaced by the
 * percent-encoded `room` and %W by the percent-encoded `webhook`. */
char *fixture_url(const struct fixture *fx, const char *path, const char *room, const char *webhook);

/* Sends a request. `token` adds "Authorization: Bearer", `secret` adds the
 * webhook secret header, `body` (may be NULL) is sent with Content-Type
 * application/json. Asserts that a reply arrived. */
void fixture_request(const struct fixture *fx, const char *method, const char *url,
                     const char *token, const char *secret, const char *body, struct reply *out);

void reply_free(struct reply *reply);

/* Creates a webhook in `room` as `token` with `body_json`; asserts 201 and
 * returns the parsed reply (caller json_decref()s it). */
json_t *fixture_create_webhook(const struct fixture *fx, const char *room, const char *token,
                               const char *body_json);

/* Invokes a webhook; returns the status and fills `out` when not NULL. */
long fixture_invoke(const struct fixture *fx, const char *room, const char *webhook,
                    const char *secret, const char *body_json, struct reply *out);

/* Returns the `error` string of a reply, or "" when it has none. */
const char *reply_error_text(const struct reply *reply);

#endif
