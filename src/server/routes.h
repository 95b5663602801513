/* Route handlers. Each reads a request and fills in a reply. */
#ifndef STAYHOOKS_SERVER_ROUTES_H
#define STAYHOOKS_SERVER_ROUTES_H

#include "http.h"
#include "server.h"
#include "store.h"

typedef void (*route_handler)(struct server *srv, struct request *req, struct reply *rep);

/* Returns the handler for the request's method and path, and sets the
 * reply's route pattern. Returns NULL with the reply set when there is
 * none: 404 for an unknown path, 405 for a known path with the wrong
 * method. */
route_handler routes_find(struct request *req, struct reply *rep);

void routes_list(struct server *srv, struct request *req, struct reply *rep);
void routes_create(struct server *srv, struct request *req, struct reply *rep);
void routes_update(struct server *srv, struct request *req, struct reply *rep);
void routes_rotate(struct server *srv, struct request *req, struct reply *rep);
void routes_delete(struct server *srv, struct request *req, struct reply *rep);
void routes_permitted_actions(struct server *srv, struct request *req, struct reply *rep);
void routes_invoke(struct server *srv, struct request *req, struct reply *rep);
void routes_messages(struct server *srv, struct request *req, struct reply *rep);
void routes_polls(struct server *srv, struct request *req, struct reply *rep);
void routes_board(struct server *srv, struct request *req, struct reply *rep);

/* Checks the bearer token and the caller's role in `room`: 401 without a
 * valid token, 404 for an unknown room, 403 below `min_role`. Returns 0
 * when allowed, else -1 with the reply set. *user (may be NULL) gets a
 * new string to free(). */
int routes_authorize(struct server *srv, sqlite3 *db, const struct request *req,
                     struct reply *rep, const char *room, enum store_role min_role,
                     char **user);

/* Adds invokeUrl and exampleCurl to a webhook object. Returns 0 or -1. */
int routes_decorate_webhook(struct server *srv, const char *room, json_t *webhook);

#endif
