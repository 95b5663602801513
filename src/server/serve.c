#define _POSIX_C_SOURCE 200809L
#include "serve.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "store.h"

static void close_db(void *db)
{
    sqlite3_close_v2(db);
}

sqlite3 *server_db(struct server *srv)
{
    sqlite3 *db = pthread_getspecific(srv->db_key);
    char why[512];

    if (db != NULL)
        return db;
    db = store_open(srv->config.db_path, why, sizeof why);
    if (db == NULL) {
        log_line("%s", why);
        return NULL;
    }
    if (pthread_setspecific(srv->db_key, db) != 0) {
        sqlite3_close_v2(db);
        return NULL;
    }
    return db;
}

/* Sets the public URL from --public-url, else from the bound address. */
static void set_public_url(struct server *srv, int port)
{
    const char *host = srv->config.listen_host;
    size_t len;

    if (srv->config.public_url != NULL)
        snprintf(srv->public_url, sizeof srv->public_url, "%s", srv->config.public_url);
    else if (strchr(host, ':') != NULL)
        snprintf(srv->public_url, sizeof srv->public_url, "http://[%s]:%d", host, port);
    else
        snprintf(srv->public_url, sizeof srv->public_url, "http://%s:%d", host, port);

    len = strlen(srv->public_url);
    while (len > 0 && srv->public_url[len - 1] == '/')
        srv->public_url[--len] = '\0';
}

int serve_run(const struct server_config *config)
{
    struct server srv;
    sqlite3 *db = NULL;
    void *daemon = NULL;
    sigset_t stop_signals;
    int signal_number = 0;
    int port = 0;
    int key_made = 0;
    int rc = 1;
    char why[512];

    memset(&srv, 0, sizeof srv);
    srv.config = *config;

    /* The signing key and schema are set up once here, so a bad --db path
     * fails at start rather than on the first request. */
    db = store_open(config->db_path, why, sizeof why);
    if (db == NULL) {
        log_line("%s", why);
        goto done;
    }
    if (store_signing_key(db, srv.jwt_key, sizeof srv.jwt_key) != STORE_OK) {
        log_line("cannot read or create the signing key in %s: %s", config->db_path, sqlite3_errmsg(db));
        goto done;
    }
    srv.limiter = ratelimit_new(config->rate_count, config->rate_seconds);
    if (srv.limiter == NULL || pthread_key_create(&srv.db_key, close_db) != 0) {
        log_line("out of memory");
        goto done;
    }
    key_made = 1;

    /* Block the stop signals before the pool threads start, so they inherit
     * the mask and only sigwait() below receives SIGINT and SIGTERM. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    daemon = http_start(&srv, &port);
    if (daemon == NULL)
        goto done;
    set_public_url(&srv, port);

    if (strchr(config->listen_host, ':') != NULL)
        printf("listening on http://[%s]:%d\n", config->listen_host, port);
    else
        printf("listening on http://%s:%d\n", config->listen_host, port);
    fflush(stdout);
    log_line("started: db %s, webhook limit %ld, rate limit %ld/%lds, public URL %s",
             config->db_path, config->webhook_limit, config->rate_count, config->rate_seconds,
             srv.public_url);
    log_line("preview: %s/preview/ROOM#token=TOKEN (mint a token with stayhooks-server token USER "
             "--db %s)", srv.public_url, config->db_path);

    sigwait(&stop_signals, &signal_number);
    log_line("stopping on %s", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    rc = 0;

done:
    http_stop(daemon);
    if (daemon != NULL)
        log_line("stopped");
    if (key_made)
        pthread_key_delete(srv.db_key);
    ratelimit_free(srv.limiter);
    sqlite3_close_v2(db);
    return rc;
}
