/* The room preview page: a static HTML shell, its script and its style
 * sheet, built into the binary. The page reads the token from the URL
 * fragment and calls the read-back endpoints itself, so these routes
 * serve no room data and need no token. */
#ifndef STAYHOOKS_SERVER_PREVIEW_H
#define STAYHOOKS_SERVER_PREVIEW_H

#include <microhttpd.h>

#include "http.h"

struct preview_asset;

/* Returns 1 when `url` (the raw path) is /preview or below it, else 0. */
int preview_owns_path(const char *url);

/* Finds the asset that `method` and `url` ask for and sets rep->route to
 * the route pattern. Returns NULL with the reply set to 404 for an
 * unknown path or 405 for a method other than GET and HEAD. */
const struct preview_asset *preview_find(const char *url, const char *method,
                                         struct reply *rep);

/* Queues `asset` with status 200, its Content-Type and the page's security
 * headers. libmicrohttpd leaves the body out for HEAD. */
enum MHD_Result preview_queue(struct MHD_Connection *connection,
                              const struct preview_asset *asset);

#endif
