/* fuzz_server_common.c: server state for the server fuzz harnesses. */
#include "fuzz_server_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "secret.h"
#include "store.h"

/* Ten years, so tokens minted at start never expire during a run. */
#define FUZZ_TOKEN_TTL (10L * 365 * 86400)

static struct server fuzz_srv;
static sqlite3 *fuzz_db;
static char *owner_token;
static char *member_token;
/* sqlite3_total_changes() right after the last reset. */
static int changes_after_reset;

/* The fuzz harnesses run single-threaded, so one connection serves every
 * request. This replaces serve.c's per-thread connection. */
sqlite3 *server_db(struct server *srv)
{
    (void)srv;
    return fuzz_db;
}

struct server *fuzz_server(void)
{
    if (owner_token != NULL)
        return &fuzz_srv;

    memset(&fuzz_srv, 0, sizeof fuzz_srv);
    snprintf(fuzz_srv.config.listen_host, sizeof fuzz_srv.config.listen_host, "127.0.0.1");
    fuzz_srv.config.db_path = ":memory:";
    fuzz_srv.config.webhook_limit = 10;
    fuzz_srv.config.rate_count = 60;
    fuzz_srv.config.rate_seconds = 60;
    snprintf(fuzz_srv.public_url, sizeof fuzz_srv.public_url, "http://127.0.0.1:3000");
    for (size_t i = 0; i < sizeof fuzz_srv.jwt_key; i++)
        fuzz_srv.jwt_key[i] = (unsigned char)(0xA5 ^ i);

    owner_token = auth_mint(fuzz_srv.jwt_key, sizeof fuzz_srv.jwt_key, "owner", FUZZ_TOKEN_TTL);
    member_token = auth_mint(fuzz_srv.jwt_key, sizeof fuzz_srv.jwt_key, "member", FUZZ_TOKEN_TTL);
    FUZZ_CHECK(owner_token != NULL && member_token != NULL);
    return &fuzz_srv;
}

const char *fuzz_owner_token(void)
{
    return owner_token;
}

const char *fuzz_member_token(void)
{
    return member_token;
}

static void add_room(const char *room)
{
    char *admins[] = { "admin" };
    char *members[] = { "member" };

    FUZZ_CHECK(store_room_add(fuzz_db, room, "owner", admins, 1, members, 1) == STORE_OK);
}

static int state_changed(void)
{
    return fuzz_db == NULL || sqlite3_total_changes(fuzz_db) != changes_after_reset;
}

void fuzz_server_state_reset(void)
{
    static const char *const rooms[] = { FUZZ_ROOM, "R1", "team/alpha beta", "caf\xC3\xA9", ".." };
    unsigned char hash[SECRET_HASH_SIZE];
    char preview[SECRET_PREVIEW_SIZE];
    char why[256];
    struct store_new_webhook hook;

    fuzz_server();
    /* Rebuilding takes most of an input's time, so it is skipped while the
     * database is as the reset left it. An input that changed nothing in
     * the database also took nothing from the rate limiter, because every
     * accepted invoke stores a delivery. */
    if (!state_changed())
        return;
    sqlite3_close_v2(fuzz_db);
    fuzz_db = store_open(":memory:", why, sizeof why);
    if (fuzz_db == NULL) {
        fprintf(stderr, "fuzz: %s\n", why);
        abort();
    }
    for (size_t i = 0; i < sizeof rooms / sizeof rooms[0]; i++)
        add_room(rooms[i]);

    FUZZ_CHECK(secret_hash(FUZZ_SECRET, hash) == 0);
    secret_preview(FUZZ_SECRET, preview);
    memset(&hook, 0, sizeof hook);
    hook.room_id = FUZZ_ROOM;
    hook.id = FUZZ_WEBHOOK;
    hook.label = "Fuzz bot";
    hook.permissions_json = "[\"message\",\"embed\",\"poll\",\"image\"]";
    hook.created_by = "owner";
    hook.created_at = "2026-12-04T20:00:00.000Z";
    hook.secret_hash = hash;
    hook.secret_preview = preview;
    FUZZ_CHECK(store_webhook_create(fuzz_db, &hook, fuzz_srv.config.webhook_limit) == STORE_OK);

    ratelimit_free(fuzz_srv.limiter);
    fuzz_srv.limiter = ratelimit_new(fuzz_srv.config.rate_count, fuzz_srv.config.rate_seconds);
    FUZZ_CHECK(fuzz_srv.limiter != NULL);
    changes_after_reset = sqlite3_total_changes(fuzz_db);
}
