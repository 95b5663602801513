/* client.c: options, environment defaults and the client handle. */
#define _POSIX_C_SOURCE 200809L

#include "client.h"

#include "error.h"
#include "redact.h"
#include "retry.h"
#include "text.h"
#include "url.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_OK;

static void global_init_once(void)
{
    global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *stayhooks_version(void)
{
    return STAYHOOKS_VERSION;
}

int stayhooks_global_init(void)
{
    if (pthread_once(&global_once, global_init_once) != 0)
        return STAYHOOKS_ERR_INTERNAL;
    return global_result == CURLE_OK ? STAYHOOKS_OK : STAYHOOKS_ERR_INTERNAL;
}

void stayhooks_options_init(stayhooks_options *opts)
{
    if (opts == NULL)
        return;
    stayhooks_options defaults = STAYHOOKS_OPTIONS_INIT;
    *opts = defaults;
}

/* Copies an optional string. Returns 0 only when the copy failed. */
static int copy_optional(char **dst, const char *src)
{
    *dst = NULL;
    if (src == NULL)
        return 1;
    *dst = stayhooks__strdup(src);
    return *dst != NULL;
}

static int check_utf8_option(const char *value, const char *name, stayhooks_error **err)
{
    if (value != NULL && !stayhooks__utf8_valid(value))
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "option %s is not valid UTF-8", name);
    return STAYHOOKS_OK;
}

int stayhooks__check_header_value(const char *value, const char *what, stayhooks_error **err)
{
    if (value != NULL && stayhooks__has_control_char(value))
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "%s contains a control character (such as CR, LF or tab), "
                               "which is not allowed in an HTTP header",
                               what);
    return STAYHOOKS_OK;
}

/* Checks the base URL without its surrounding white space, which the client
 * ignores, but quotes it as the caller gave it, with the token redacted. */
static int check_base_url(const char *base_url, const char *token, stayhooks_error **err)
{
    const char *hidden[1] = { token };
    char *trimmed = stayhooks__trim(base_url);
    char *shown = stayhooks__redact_text(base_url, hidden, 1);
    int rc;

    if (trimmed == NULL || shown == NULL)
        rc = stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
    else
        rc = stayhooks__check_endpoint_url(trimmed, "base URL", shown, err);
    free(trimmed);
    free(shown);
    return rc;
}

/* Checks the base URL joined with the normalised API prefix, which is
 * not percent-encoded: a '?', '#', space or line break in the prefix
 * would otherwise reach the request line. */
static int check_prefix(const char *base_url, const char *prefix, stayhooks_error **err)
{
    size_t size = strlen(base_url) + strlen(prefix) + 1;
    char *joined = malloc(size);
    if (joined == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");

    snprintf(joined, size, "%s%s", base_url, prefix);
    int rc = stayhooks__check_endpoint_url(joined, "base URL with the API prefix", joined, err);
    free(joined);
    return rc;
}

/* Opens the CA bundle once, so that a wrong path fails here as a
 * validation error rather than later as a TLS failure of every call. */
static int check_ca_file(const char *ca_file, stayhooks_error **err)
{
    struct stat info;
    char reason[128];

    if (ca_file == NULL)
        return STAYHOOKS_OK;

    int fd = open(ca_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (strerror_r(errno, reason, sizeof(reason)) != 0)
            snprintf(reason, sizeof(reason), "error %d", errno);
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "CA file \"%s\" cannot be read: %s", ca_file, reason);
    }
    int is_directory = fstat(fd, &info) == 0 && S_ISDIR(info.st_mode);
    close(fd);
    if (is_directory)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "CA file \"%s\" is a directory; give a PEM bundle file",
                               ca_file);
    return STAYHOOKS_OK;
}

static int validate_options(const stayhooks_options *opts, const char *base_url,
                            stayhooks_error **err)
{
    int rc;
    if ((rc = check_utf8_option(base_url, "base_url", err)) != STAYHOOKS_OK ||
        (rc = check_utf8_option(opts->token, "token", err)) != STAYHOOKS_OK ||
        (rc = check_utf8_option(opts->api_prefix, "api_prefix", err)) != STAYHOOKS_OK ||
        (rc = check_utf8_option(opts->user_agent, "user_agent", err)) != STAYHOOKS_OK ||
        (rc = check_utf8_option(opts->default_alias, "default_alias", err)) != STAYHOOKS_OK)
        return rc;
    if ((rc = stayhooks__check_header_value(opts->token, "option token", err)) != STAYHOOKS_OK ||
        (rc = stayhooks__check_header_value(opts->user_agent, "option user_agent", err)) !=
            STAYHOOKS_OK)
        return rc;

    if (opts->version != STAYHOOKS_OPTIONS_VERSION)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "options version %u is not supported (expected %d); "
                               "initialise options with stayhooks_options_init()",
                               opts->version, STAYHOOKS_OPTIONS_VERSION);
    if (opts->connect_timeout_ms < 0 || opts->timeout_ms < 0)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "timeouts must not be negative");
    /* A negative deadline_ms is allowed: it means no deadline. */
    if (opts->retry.max_attempts < 0 || opts->retry.base_delay_ms < 0 ||
        opts->retry.max_delay_ms < 0)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "retry max_attempts, base_delay_ms and max_delay_ms must not "
                               "be negative");

    if ((rc = check_base_url(base_url, opts->token, err)) != STAYHOOKS_OK)
        return rc;
    return check_ca_file(opts->ca_file, err);
}

static int client_create(const stayhooks_options *opts, const char *base_url,
                         const char *token, stayhooks_client **out, stayhooks_error **err)
{
    stayhooks_options defaults = STAYHOOKS_OPTIONS_INIT;
    stayhooks_client *c = NULL;
    int rc;

    if (out == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "out must not be NULL");
    *out = NULL;
    if (opts == NULL)
        opts = &defaults;
    if (base_url == NULL)
        base_url = STAYHOOKS_DEFAULT_BASE_URL;

    stayhooks_options checked = *opts;
    checked.token = token;
    rc = validate_options(&checked, base_url, err);
    if (rc != STAYHOOKS_OK)
        return rc;

    if (stayhooks_global_init() != STAYHOOKS_OK)
        return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "curl_global_init failed");

    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");

    c->base_url = stayhooks__normalize_base_url(base_url);
    c->prefix = stayhooks__normalize_prefix(opts->api_prefix);
    if (c->base_url == NULL || c->prefix == NULL ||
        !copy_optional(&c->token, token) ||
        !copy_optional(&c->user_agent, opts->user_agent != NULL
                                           ? opts->user_agent
                                           : "stayhooks/" STAYHOOKS_VERSION) ||
        !copy_optional(&c->default_alias, opts->default_alias) ||
        !copy_optional(&c->ca_file, opts->ca_file)) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
        goto done;
    }
    if ((rc = check_prefix(c->base_url, c->prefix, err)) != STAYHOOKS_OK)
        goto done;

    /* An empty token counts as no token, so the "no token" check catches
     * an unset variable exported as "". */
    if (c->token != NULL && c->token[0] == '\0') {
        free(c->token);
        c->token = NULL;
    }

    c->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms
                                                         : STAYHOOKS_DEFAULT_CONNECT_TIMEOUT_MS;
    c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : STAYHOOKS_DEFAULT_TIMEOUT_MS;
    c->insecure = opts->insecure != 0;
    c->max_response_bytes = opts->max_response_bytes > 0 ? opts->max_response_bytes
                                                          : STAYHOOKS_DEFAULT_MAX_RESPONSE_BYTES;
    c->retry = stayhooks__retry_policy_resolve(&opts->retry, c->timeout_ms);
    c->dry_run = opts->dry_run != 0;
    c->log = opts->log;
    c->log_userdata = opts->log_userdata;
    c->rng_state = (unsigned long long)time(NULL) ^ (unsigned long long)(uintptr_t)c ^
                   0x9E3779B97F4A7C15ULL;

    c->curl = curl_easy_init();
    if (c->curl == NULL) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "curl_easy_init failed");
        goto done;
    }

    *out = c;
    c = NULL;
    rc = STAYHOOKS_OK;

done:
    stayhooks_client_free(c);
    return rc;
}

int stayhooks_client_new(const stayhooks_options *opts, stayhooks_client **out,
                         stayhooks_error **err)
{
    return client_create(opts, opts != NULL ? opts->base_url : NULL,
                         opts != NULL ? opts->token : NULL, out, err);
}

int stayhooks_client_new_from_env(const stayhooks_options *opts, stayhooks_client **out,
                                  stayhooks_error **err)
{
    const char *base_url = opts != NULL ? opts->base_url : NULL;
    const char *token = opts != NULL ? opts->token : NULL;

    /* Empty variables count as unset, as shells often export "". */
    const char *env_base = getenv("STAYHERE_BASE_URL");
    const char *env_token = getenv("STAYHERE_TOKEN");
    if (base_url == NULL && env_base != NULL && env_base[0] != '\0')
        base_url = env_base;
    if (token == NULL && env_token != NULL && env_token[0] != '\0')
        token = env_token;

    return client_create(opts, base_url, token, out, err);
}

void stayhooks_client_free(stayhooks_client *client)
{
    if (client == NULL)
        return;
    if (client->curl != NULL)
        curl_easy_cleanup(client->curl);
    free(client->base_url);
    free(client->prefix);
    if (client->token != NULL) {
        /* Scrub the token so it does not linger in freed heap memory. */
        volatile char *p = client->token;
        while (*p != '\0')
            *p++ = '\0';
    }
    free(client->token);
    free(client->user_agent);
    free(client->default_alias);
    free(client->ca_file);
    free(client->last_request);
    free(client);
}

const char *stayhooks_client_last_request(const stayhooks_client *client)
{
    return client != NULL ? client->last_request : NULL;
}

double stayhooks__client_random(stayhooks_client *client)
{
    /* xorshift64*: jitter needs spread, not unpredictability. */
    unsigned long long x = client->rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    client->rng_state = x;
    unsigned long long r = x * 0x2545F4914F6CDD1DULL;
    return (double)(r >> 11) / 9007199254740992.0; /* 2^53 */
}
