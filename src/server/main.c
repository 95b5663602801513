/* stayhooks-server: a local server speaking the StayHere webhook API. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "auth.h"
#include "config.h"
#include "serve.h"
#include "store.h"
#include "stayhooks.h"

#define EXIT_USAGE 2

static const char usage[] =
    "Usage:\n"
    "  stayhooks-server serve [--listen HOST:PORT] [--db PATH] [--webhook-limit N]\n"
    "                         [--rate-limit COUNT/SECONDS] [--public-url URL]\n"
    "  stayhooks-server room add ROOM --owner USER [--admin USER]... [--member USER]... [--db PATH]\n"
    "  stayhooks-server token USER [--ttl SECONDS] [--db PATH]\n"
    "  stayhooks-server --help | --version\n"
    "\n"
    "serve options:\n"
    "  --listen HOST:PORT          address to bind (default 127.0.0.1:3000; port 0 picks a free port)\n"
    "  --db PATH                   SQLite database file (default ./stayhooks.db)\n"
    "  --webhook-limit N           webhooks allowed per room (default 10)\n"
    "  --rate-limit COUNT/SECONDS  invokes allowed per webhook in a sliding window (default 60/60)\n"
    "  --public-url URL            base of invokeUrl and exampleCurl (default http://HOST:PORT)\n"
    "\n"
    "The first line on stdout is \"listening on http://HOST:PORT\". SIGINT or SIGTERM stops the server.\n"
    "`token` prints an HS256 JWT for USER valid for --ttl seconds (default 86400), signed with the\n"
    "key kept in the database, so `serve` on the same --db accepts it.\n";

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("stayhooks-server: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nRun 'stayhooks-server --help' for usage.\n", stderr);
    return EXIT_USAGE;
}

/* Returns 1 when `text` is valid UTF-8. IDs and user names become JSON
 * strings in replies and tokens, which jansson accepts only as UTF-8. */
static int is_utf8(const char *text)
{
    json_t *probe = json_string(text);

    json_decref(probe);
    return probe != NULL;
}

static sqlite3 *open_or_report(const char *path)
{
    char why[512];
    sqlite3 *db = store_open(path, why, sizeof why);

    if (db == NULL)
        fprintf(stderr, "stayhooks-server: %s\n", why);
    return db;
}

static int command_room_add(int argc, char **argv)
{
    const char *room;
    const char *owner = NULL;
    const char *db_path = CONFIG_DEFAULT_DB;
    char **admins = calloc((size_t)argc, sizeof *admins);
    char **members = calloc((size_t)argc, sizeof *members);
    size_t admin_count = 0;
    size_t member_count = 0;
    sqlite3 *db = NULL;
    int rc = EXIT_USAGE;

    if (admins == NULL || members == NULL) {
        rc = 1;
        goto done;
    }
    if (argc < 3 || strcmp(argv[1], "add") != 0) {
        rc = usage_error("expected 'room add ROOM --owner USER'");
        goto done;
    }
    room = argv[2];
    if (room[0] == '\0') {
        rc = usage_error("room ID must not be empty");
        goto done;
    }
    if (!is_utf8(room)) {
        rc = usage_error("room ID must be valid UTF-8, because requests and replies carry it as text");
        goto done;
    }
    for (int i = 3; i < argc; i++) {
        const char *name = argv[i];
        if (i + 1 >= argc) {
            rc = usage_error("option %s requires a value", name);
            goto done;
        }
        if (strcmp(name, "--db") != 0 && !is_utf8(argv[i + 1])) {
            rc = usage_error("the user name after %s must be valid UTF-8", name);
            goto done;
        }
        if (strcmp(name, "--owner") == 0)
            owner = argv[++i];
        else if (strcmp(name, "--admin") == 0)
            admins[admin_count++] = argv[++i];
        else if (strcmp(name, "--member") == 0)
            members[member_count++] = argv[++i];
        else if (strcmp(name, "--db") == 0)
            db_path = argv[++i];
        else {
            rc = usage_error("unknown room add option '%s'", name);
            goto done;
        }
    }
    if (owner == NULL || owner[0] == '\0') {
        rc = usage_error("room add requires --owner USER");
        goto done;
    }

    rc = 1;
    db = open_or_report(db_path);
    if (db == NULL)
        goto done;
    if (store_room_add(db, room, owner, admins, admin_count, members, member_count) != STORE_OK) {
        fprintf(stderr, "stayhooks-server: cannot add room: %s\n", sqlite3_errmsg(db));
        goto done;
    }
    printf("room %s: owner %s, %zu admin(s), %zu member(s)\n", room, owner, admin_count, member_count);
    rc = 0;

done:
    sqlite3_close_v2(db);
    free(admins);
    free(members);
    return rc;
}

static int command_token(int argc, char **argv)
{
    const char *user;
    const char *db_path = CONFIG_DEFAULT_DB;
    long ttl = AUTH_DEFAULT_TTL;
    unsigned char key[AUTH_KEY_SIZE];
    sqlite3 *db = NULL;
    char *token = NULL;
    int rc = 1;

    if (argc < 2 || argv[1][0] == '\0' || argv[1][0] == '-')
        return usage_error("expected 'token USER'");
    user = argv[1];
    if (!is_utf8(user))
        return usage_error("USER must be valid UTF-8, because it becomes the token's sub claim");
    for (int i = 2; i < argc; i++) {
        const char *name = argv[i];
        if (i + 1 >= argc)
            return usage_error("option %s requires a value", name);
        if (strcmp(name, "--ttl") == 0) {
            if (config_parse_long(argv[++i], 1, CONFIG_TTL_MAX, &ttl) != 0)
                return usage_error("invalid --ttl '%s': expected seconds from 1 to %ld (10 years)",
                                   argv[i], CONFIG_TTL_MAX);
        } else if (strcmp(name, "--db") == 0) {
            db_path = argv[++i];
        } else {
            return usage_error("unknown token option '%s'", name);
        }
    }

    db = open_or_report(db_path);
    if (db == NULL)
        goto done;
    if (store_signing_key(db, key, sizeof key) != STORE_OK) {
        fprintf(stderr, "stayhooks-server: cannot read the signing key: %s\n", sqlite3_errmsg(db));
        goto done;
    }
    token = auth_mint(key, sizeof key, user, ttl);
    if (token == NULL) {
        fprintf(stderr, "stayhooks-server: cannot sign the token\n");
        goto done;
    }
    printf("%s\n", token);
    rc = 0;

done:
    OPENSSL_cleanse(key, sizeof key);
    free(token);
    sqlite3_close_v2(db);
    return rc;
}

int main(int argc, char **argv)
{
    struct server_config config;
    int rc;

    if (argc < 2)
        return usage_error("missing command: serve, room or token");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("stayhooks-server %s\n", STAYHOOKS_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "serve") == 0) {
        rc = config_parse_serve(argc - 1, argv + 1, &config);
        if (rc != 0)
            return rc;
        return serve_run(&config);
    }
    if (strcmp(argv[1], "room") == 0)
        return command_room_add(argc - 1, argv + 1);
    if (strcmp(argv[1], "token") == 0)
        return command_token(argc - 1, argv + 1);
    return usage_error("unknown command '%s'; expected serve, room or token", argv[1]);
}
