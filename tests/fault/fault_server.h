/*
 * fault_server.h: private declarations of the fault-injection server, a
 * deliberately broken HTTP/1.1 server used only by the reliability tests.
 */
#ifndef FAULT_SERVER_H
#define FAULT_SERVER_H

#include <stddef.h>

#include <openssl/ssl.h>

enum fault_mode {
    FAULT_OK,                /* every request gets a valid 200 reply */
    FAULT_ACCEPT_CLOSE,      /* close each connection before reading */
    FAULT_CLOSE_MID_HEADERS, /* send part of the reply headers, then close */
    FAULT_CLOSE_MID_BODY,    /* send part of a chunked body, then close */
    FAULT_SHORT_BODY,        /* announce more body bytes than are sent */
    FAULT_STALL,             /* read the request, then send nothing */
    FAULT_BIG_BODY,          /* a valid JSON body of body_bytes bytes */
    FAULT_BIG_CHUNKED,       /* the same body, chunked, no Content-Length */
    FAULT_CHUNKED,           /* a valid reply split into several chunks */
    FAULT_BAD_JSON,          /* status 200 with a body that is not JSON,
                                or with `body` when set */
    FAULT_STATUS,            /* reply with `status` (429, 503...) */
    FAULT_READ_DROP,         /* read the whole request, then close */
    FAULT_REDIRECT,          /* 302 with a Location header */
    FAULT_KEEPALIVE_DROP,    /* keep the connection after a 200, then read
                                the next request on it and close */
    FAULT_TRICKLE            /* valid reply, body sent one byte per 100 ms */
};

struct fault_config {
    enum fault_mode mode;
    long fault_count;        /* requests that get the fault; -1 means all */
    int status;              /* FAULT_STATUS only */
    const char *retry_after; /* Retry-After value sent as is, or NULL */
    long retry_after_date_s; /* > 0: Retry-After as an HTTP date this far ahead */
    const char *location;    /* FAULT_REDIRECT only */
    long stall_ms;
    size_t body_bytes;       /* FAULT_BIG_BODY and FAULT_BIG_CHUNKED */
    const char *body;        /* FAULT_BAD_JSON only: body sent as is, or NULL */
    const char *stats_path;
    const char *tls_cert_out; /* non-NULL: serve TLS, write the cert here */
    const char *tls_subject_alt_name; /* default "IP:127.0.0.1" */
    long lifetime_s;
};

/* One accepted connection; `ssl` is NULL for plain HTTP. */
struct fault_conn {
    int fd;
    SSL *ssl;
};

/* Request as far as the server needs it to pick a reply. */
struct fault_request {
    char method[16];
    char target[1024];
    int is_get;
};

/* Writes all of `data`; returns 0, or -1 when the peer went away. */
int fault_conn_write(struct fault_conn *conn, const void *data, size_t len);

/* Returns bytes read, 0 at end of stream, -1 on error or timeout. */
long fault_conn_read(struct fault_conn *conn, void *buf, size_t len);

/*
 * Sends the reply for `config->mode` when `faulty` is 1, else a valid 200
 * reply. Leaves the connection open; the caller closes it.
 */
void fault_send_reply(const struct fault_config *config, struct fault_conn *conn,
                      const struct fault_request *request, int faulty);

/* Sends a valid 200 reply that leaves the connection open for another
 * request (no "Connection: close"). */
void fault_send_keepalive_ok(struct fault_conn *conn, const struct fault_request *request);

/*
 * Generates a self-signed certificate whose subjectAltName is
 * `subject_alt_name` (in OpenSSL's config syntax, e.g. "IP:127.0.0.1"),
 * writes it as PEM to `cert_out` and returns a server context that uses
 * it, or NULL on failure.
 */
SSL_CTX *fault_tls_context_new(const char *cert_out, const char *subject_alt_name);

#endif /* FAULT_SERVER_H */
