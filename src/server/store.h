/*
 * SQLite storage: rooms and their members, webhooks, and what each room
 * received (messages, polls, board images). Each thread uses its own
 * connection. Read functions return jansson values shaped like the API
 * objects so routes can send them as they are.
 */
#ifndef STAYHOOKS_SERVER_STORE_H
#define STAYHOOKS_SERVER_STORE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "secret.h"

enum store_status {
    STORE_OK = 0,
    STORE_NOT_FOUND = 1,
    STORE_LIMIT = 2,   /* the room's webhook limit is reached */
    STORE_ERROR = -1
};

enum store_role {
    ROLE_NONE = 0,
    ROLE_MEMBER = 1,
    ROLE_ADMIN = 2,
    ROLE_OWNER = 3
};

/* Opens (creating when missing) the database, sets WAL mode,
 * synchronous=FULL and a busy timeout, and creates the schema. On failure
 * returns NULL and writes a reason into `why`. */
sqlite3 *store_open(const char *path, char *why, size_t why_size);

/* Reads the JWT signing key, creating it on first use. Safe when several
 * processes race to create it: the first insert wins. */
int store_signing_key(sqlite3 *db, unsigned char *key, size_t key_len);

/* Creates the room, or updates it: the owner is replaced and the listed
 * users are added with their role. */
int store_room_add(sqlite3 *db, const char *room, const char *owner,
                   char *const *admins, size_t admin_count,
                   char *const *members, size_t member_count);

/* Sets *role for `user` in `room`. STORE_NOT_FOUND when the room is unknown. */
int store_room_role(sqlite3 *db, const char *room, const char *user,
                    enum store_role *role);

/* New webhook row; all strings borrowed. */
struct store_new_webhook {
    const char *room_id;
    const char *id;
    const char *label;
    const char *permissions_json; /* JSON array text */
    const char *created_by;
    const char *created_at;
    const unsigned char *secret_hash;
    const char *secret_preview;
};

/* Inserts a webhook unless the room already has `limit` webhooks
 * (STORE_LIMIT). Counting and inserting share one transaction. */
int store_webhook_create(sqlite3 *db, const struct store_new_webhook *hook, long limit);

/* Sets *out to the webhook object {id, label, permissions, paused,
 * createdAt, createdBy, lastUsedAt, secretPreview}. When `hash` is not NULL
 * it receives the stored secret hash. */
int store_webhook_get(sqlite3 *db, const char *room, const char *id,
                      json_t **out, unsigned char *hash);

/* Sets *out to an array of webhook objects, oldest first. */
int store_webhook_list(sqlite3 *db, const char *room, json_t **out);

/* Changes the given fields: NULL strings and paused < 0 leave a field alone. */
int store_webhook_update(sqlite3 *db, const char *room, const char *id,
                         const char *label, const char *permissions_json, int paused);

/* Replaces the secret hash. The old secret stops matching at once. */
int store_webhook_rotate(sqlite3 *db, const char *room, const char *id,
                         const unsigned char *hash, const char *preview);

int store_webhook_delete(sqlite3 *db, const char *room, const char *id);

/* One accepted invoke. NULL strings and negative numbers are stored as
 * SQL NULL. A non-NULL `message_id`, `poll_id` or `image_id` selects
 * which rows are inserted. */
struct store_delivery {
    const char *room_id;
    const char *webhook_id;
    const char *created_at;
    const char *kind;          /* message, embed, poll or image */
    const char *message_id;
    const char *alias;
    const char *text;
    const char *embed_json;
    const char *extra_json;    /* message members other than text and alias */
    const char *poll_id;
    const char *question;
    const char *options_json;
    int multiple_choice;
    long ends_in_minutes;
    const char *ends_at;
    const char *image_id;
    const char *url;
    long w, h, x, y;
};

/* Stores the delivery and the webhook's lastUsedAt in one transaction,
 * which may also carry deliveries of other threads (group commit). Returns
 * STORE_OK only after COMMIT returned, so the reply that follows describes
 * a committed row. */
int store_delivery_insert(sqlite3 *db, const struct store_delivery *delivery);

/* Page of a read-back list, selected by cursor and size. The cursor is the table's
 * `seq` column (INTEGER PRIMARY KEY AUTOINCREMENT). A row committed later
 * always has a larger seq than every row a reader could see before,
 * because SQLite runs one write transaction at a time and AUTOINCREMENT
 * never hands out a number below the largest one used. */
struct store_page {
    sqlite3_int64 after;       /* only rows with seq > after; 0 for all */
    sqlite3_int64 limit;       /* at most this many rows; 0 for no limit */
};

/* Read-back arrays in arrival order, shaped as documented in
 * docs/server.md. Each item ends with its own "cursor". *cursor is set to
 * the cursor of the last item, or to page->after when the page is empty. */
int store_messages(sqlite3 *db, const char *room, const struct store_page *page,
                   json_t **out, sqlite3_int64 *cursor);
int store_polls(sqlite3 *db, const char *room, const struct store_page *page,
                json_t **out, sqlite3_int64 *cursor);
int store_images(sqlite3 *db, const char *room, const struct store_page *page,
                 json_t **out, sqlite3_int64 *cursor);

#endif
