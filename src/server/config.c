#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

int config_parse_long(const char *text, long min, long max, long *out)
{
    char *end = NULL;
    long value;

    if (text == NULL || *text == '\0')
        return -1;
    errno = 0;
    value = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

int config_parse_listen(const char *text, struct server_config *cfg)
{
    const char *colon;
    size_t host_len;
    const char *host = text;
    long port;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        host = text + 1;
        host_len = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL)
            return -1;
        host_len = (size_t)(colon - text);
    }
    if (host_len == 0 || host_len >= sizeof cfg->listen_host)
        return -1;
    if (config_parse_long(colon + 1, 0, 65535, &port) != 0)
        return -1;
    memcpy(cfg->listen_host, host, host_len);
    cfg->listen_host[host_len] = '\0';
    cfg->listen_port = (int)port;
    return 0;
}

/* Parses "COUNT/SECONDS" with both parts positive. */
static int parse_rate(const char *text, struct server_config *cfg)
{
    char count[32];
    const char *slash = strchr(text, '/');
    size_t len;

    if (slash == NULL)
        return -1;
    len = (size_t)(slash - text);
    if (len == 0 || len >= sizeof count)
        return -1;
    memcpy(count, text, len);
    count[len] = '\0';
    if (config_parse_long(count, 1, CONFIG_RATE_COUNT_MAX, &cfg->rate_count) != 0)
        return -1;
    return config_parse_long(slash + 1, 1, CONFIG_RATE_SECONDS_MAX, &cfg->rate_seconds);
}

int config_is_public_url(const char *url)
{
    return text_is_http_url(url) && strpbrk(url, "?#") == NULL;
}

/* Returns the value of option `name` at argv[*i] given as "--name VALUE"
 * or "--name=VALUE", advancing *i; NULL when argv[*i] is another option.
 * Sets *missing when the option has no value. */
static const char *option_value(int argc, char **argv, int *i, const char *name, int *missing)
{
    size_t len = strlen(name);
    const char *arg = argv[*i];

    if (strncmp(arg, name, len) != 0)
        return NULL;
    if (arg[len] == '=')
        return arg + len + 1;
    if (arg[len] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    (*i)++;
    return argv[*i];
}

int config_parse_serve(int argc, char **argv, struct server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->listen_host, sizeof cfg->listen_host, "%s", CONFIG_DEFAULT_HOST);
    cfg->listen_port = CONFIG_DEFAULT_PORT;
    cfg->db_path = CONFIG_DEFAULT_DB;
    cfg->webhook_limit = CONFIG_DEFAULT_WEBHOOK_LIMIT;
    cfg->rate_count = CONFIG_DEFAULT_RATE_COUNT;
    cfg->rate_seconds = CONFIG_DEFAULT_RATE_SECONDS;

    for (int i = 1; i < argc; i++) {
        int missing = 0;
        const char *value;

        if ((value = option_value(argc, argv, &i, "--listen", &missing)) != NULL) {
            if (config_parse_listen(value, cfg) != 0) {
                fprintf(stderr, "stayhooks-server: invalid --listen '%s': expected HOST:PORT, "
                                "e.g. 127.0.0.1:3000 or [::1]:0\n", value);
                return 2;
            }
        } else if ((value = option_value(argc, argv, &i, "--db", &missing)) != NULL) {
            cfg->db_path = value;
        } else if ((value = option_value(argc, argv, &i, "--webhook-limit", &missing)) != NULL) {
            if (config_parse_long(value, 1, CONFIG_WEBHOOK_LIMIT_MAX, &cfg->webhook_limit) != 0) {
                fprintf(stderr, "stayhooks-server: invalid --webhook-limit '%s': expected an "
                                "integer from 1 to %ld\n", value, CONFIG_WEBHOOK_LIMIT_MAX);
                return 2;
            }
        } else if ((value = option_value(argc, argv, &i, "--rate-limit", &missing)) != NULL) {
            if (parse_rate(value, cfg) != 0) {
                fprintf(stderr, "stayhooks-server: invalid --rate-limit '%s': expected COUNT/SECONDS "
                                "with COUNT from 1 to %ld and SECONDS from 1 to %ld, e.g. 60/60\n",
                        value, CONFIG_RATE_COUNT_MAX, CONFIG_RATE_SECONDS_MAX);
                return 2;
            }
        } else if ((value = option_value(argc, argv, &i, "--public-url", &missing)) != NULL) {
            if (!config_is_public_url(value)) {
                fprintf(stderr, "stayhooks-server: invalid --public-url '%s': expected http:// or "
                                "https://, a host and an optional path, with no spaces, query (?) "
                                "or fragment (#)\n", value);
                return 2;
            }
            cfg->public_url = value;
        } else if (missing) {
            fprintf(stderr, "stayhooks-server: option %s requires a value\n", argv[i]);
            return 2;
        } else {
            fprintf(stderr, "stayhooks-server: unknown serve option '%s'; see --help\n", argv[i]);
            return 2;
        }
    }
    return 0;
}
