/* Command-line settings of `stayhooks-server serve`. */
#ifndef STAYHOOKS_SERVER_CONFIG_H
#define STAYHOOKS_SERVER_CONFIG_H

#define CONFIG_DEFAULT_HOST "127.0.0.1"
#define CONFIG_DEFAULT_PORT 3000
#define CONFIG_DEFAULT_DB "./stayhooks.db"
#define CONFIG_DEFAULT_WEBHOOK_LIMIT 10
#define CONFIG_DEFAULT_RATE_COUNT 60
#define CONFIG_DEFAULT_RATE_SECONDS 60

/* Accepted ranges of the numeric options. */
#define CONFIG_WEBHOOK_LIMIT_MAX 1000000L
#define CONFIG_RATE_COUNT_MAX 1000000L
#define CONFIG_RATE_SECONDS_MAX 86400L
#define CONFIG_TTL_MAX (10L * 365 * 86400)

struct server_config {
    char listen_host[256];    /* without IPv6 brackets */
    int listen_port;          /* 0 picks a free port */
    const char *db_path;      /* borrowed from argv */
    long webhook_limit;       /* webhooks per room */
    long rate_count;          /* invokes allowed per webhook ... */
    long rate_seconds;        /* ... within this sliding window */
    const char *public_url;   /* borrowed from argv; NULL: built from listen */
};

/* Parses `serve` options (argv[0] is "serve"). Prints a message to stderr and
 * returns 2 on bad arguments, returns 0 on success. */
int config_parse_serve(int argc, char **argv, struct server_config *cfg);

/* Parses "HOST:PORT" or "[V6HOST]:PORT". Returns 0 or -1. */
int config_parse_listen(const char *text, struct server_config *cfg);

/* Parses a decimal integer in [min, max]. Returns 0 or -1. */
int config_parse_long(const char *text, long min, long max, long *out);

/* Returns 1 when `url` can be the --public-url: http:// or https:// in any
 * case, a non-empty host, no spaces or control characters, and no query
 * or fragment, because invoke URLs are built by appending a path. */
int config_is_public_url(const char *url);

#endif
