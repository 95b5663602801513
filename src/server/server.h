/* State shared by every request of a running `serve`. */
#ifndef STAYHOOKS_SERVER_SERVER_H
#define STAYHOOKS_SERVER_SERVER_H

#include <pthread.h>
#include <sqlite3.h>

#include "auth.h"
#include "config.h"
#include "ratelimit.h"

struct server {
    struct server_config config;
    char public_url[1024];            /* no trailing slash */
    unsigned char jwt_key[AUTH_KEY_SIZE];
    struct ratelimit *limiter;
    pthread_key_t db_key;             /* this thread's sqlite3 connection */
};

/* Returns this thread's database connection, opening it on first use, or
 * NULL when it cannot be opened (the reason is logged). The connection is
 * closed when the thread exits. */
sqlite3 *server_db(struct server *srv);

#endif
