/* dispatch.h: routing of one complete request, apart from the
 * libmicrohttpd daemon that receives it. */
#ifndef STAYHOOKS_SERVER_DISPATCH_H
#define STAYHOOKS_SERVER_DISPATCH_H

#include "http.h"
#include "server.h"

/* Routes a request whose method, body and connection are set in `req`:
 * splits and decodes `url` (the raw path, still percent-encoded) into
 * `req->segments`, finds the handler, checks that a body is JSON and runs
 * the handler. Always leaves a status and body in `rep`: 404 for an
 * unknown path, 405 for a wrong method, 415 for a body that is not JSON.
 * Call dispatch_clear() afterwards. */
void dispatch_request(struct server *srv, const char *url, struct request *req,
                      struct reply *rep);

/* Frees the path segments that dispatch_request() decoded. */
void dispatch_clear(struct request *req);

#endif
