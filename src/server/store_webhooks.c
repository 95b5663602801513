#include <string.h>

#include "store.h"
#include "store_sql.h"

#define WEBHOOK_COLUMNS \
    "id, label, permissions, paused, created_at, created_by, last_used_at, " \
    "secret_preview, secret_hash"

/* Builds the webhook object from a row selected with WEBHOOK_COLUMNS. */
static json_t *webhook_from_row(sqlite3_stmt *stmt)
{
    json_t *obj = json_object();
    int bad = 0;

    if (obj == NULL)
        return NULL;
    bad |= sql_set(obj, "id", sql_column_string(stmt, 0));
    bad |= sql_set(obj, "label", sql_column_string(stmt, 1));
    bad |= sql_set(obj, "permissions", sql_column_json(stmt, 2));
    bad |= sql_set(obj, "paused", json_boolean(sqlite3_column_int(stmt, 3)));
    bad |= sql_set(obj, "createdAt", sql_column_string(stmt, 4));
    bad |= sql_set(obj, "createdBy", sql_column_string(stmt, 5));
    bad |= sql_set(obj, "lastUsedAt", sql_column_string(stmt, 6));
    bad |= sql_set(obj, "secretPreview", sql_column_string(stmt, 7));
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

int store_webhook_create(sqlite3 *db, const struct store_new_webhook *hook, long limit)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;

    /* BEGIN IMMEDIATE takes the write lock before counting, so two creates
     * racing for the last free slot cannot both pass the check. */
    if (sql_exec(db, "BEGIN IMMEDIATE") != SQLITE_DONE)
        return STORE_ERROR;

    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM webhooks WHERE room_id = ?1", -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, hook->room_id);
    if (sqlite3_step(stmt) != SQLITE_ROW)
        goto done;
    if (sqlite3_column_int64(stmt, 0) >= limit) {
        rc = STORE_LIMIT;
        goto done;
    }
    sqlite3_finalize(stmt);

    if (sqlite3_prepare_v2(db, "INSERT INTO webhooks (room_id, id, label, permissions, paused, "
                               "created_at, created_by, secret_hash, secret_preview) "
                               "VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8)", -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, hook->room_id);
    sql_bind_text(stmt, 2, hook->id);
    sql_bind_text(stmt, 3, hook->label);
    sql_bind_text(stmt, 4, hook->permissions_json);
    sql_bind_text(stmt, 5, hook->created_at);
    sql_bind_text(stmt, 6, hook->created_by);
    sqlite3_bind_blob(stmt, 7, hook->secret_hash, SECRET_HASH_SIZE, SQLITE_TRANSIENT);
    sql_bind_text(stmt, 8, hook->secret_preview);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto done;
    if (sql_exec(db, "COMMIT") != SQLITE_DONE)
        goto done;
    rc = STORE_OK;

done:
    sqlite3_finalize(stmt);
    if (rc != STORE_OK)
        sql_exec(db, "ROLLBACK");
    return rc;
}

int store_webhook_get(sqlite3 *db, const char *room, const char *id,
                      json_t **out, unsigned char *hash)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;
    int step;

    *out = NULL;
    if (sqlite3_prepare_v2(db, "SELECT " WEBHOOK_COLUMNS " FROM webhooks WHERE room_id = ?1 AND id = ?2",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, room);
    sql_bind_text(stmt, 2, id);
    step = sqlite3_step(stmt);
    if (step == SQLITE_DONE) {
        rc = STORE_NOT_FOUND;
        goto done;
    }
    if (step != SQLITE_ROW)
        goto done;
    if (hash != NULL) {
        if (sqlite3_column_bytes(stmt, 8) != SECRET_HASH_SIZE)
            goto done;
        memcpy(hash, sqlite3_column_blob(stmt, 8), SECRET_HASH_SIZE);
    }
    *out = webhook_from_row(stmt);
    if (*out != NULL)
        rc = STORE_OK;

done:
    sqlite3_finalize(stmt);
    return rc;
}

int store_webhook_list(sqlite3 *db, const char *room, json_t **out)
{
    sqlite3_stmt *stmt = NULL;
    json_t *list = json_array();
    int rc = STORE_ERROR;
    int step;

    *out = NULL;
    if (list == NULL)
        goto done;
    if (sqlite3_prepare_v2(db, "SELECT " WEBHOOK_COLUMNS " FROM webhooks WHERE room_id = ?1 ORDER BY seq",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, room);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *hook = webhook_from_row(stmt);
        if (hook == NULL || json_array_append_new(list, hook) != 0)
            goto done;
    }
    if (step != SQLITE_DONE)
        goto done;
    *out = list;
    list = NULL;
    rc = STORE_OK;

done:
    json_decref(list);
    sqlite3_finalize(stmt);
    return rc;
}

/* Runs a one-row UPDATE or DELETE already bound; NOT_FOUND when no row changed. */
static int step_one_row(sqlite3 *db, sqlite3_stmt *stmt)
{
    int rc = STORE_ERROR;

    if (sqlite3_step(stmt) == SQLITE_DONE)
        rc = sqlite3_changes(db) > 0 ? STORE_OK : STORE_NOT_FOUND;
    sqlite3_finalize(stmt);
    return rc;
}

int store_webhook_update(sqlite3 *db, const char *room, const char *id,
                         const char *label, const char *permissions_json, int paused)
{
    sqlite3_stmt *stmt = NULL;

    /* COALESCE keeps a column when its new value is NULL, so one statement
     * serves every combination of changed fields. */
    if (sqlite3_prepare_v2(db, "UPDATE webhooks SET label = COALESCE(?3, label), "
                               "permissions = COALESCE(?4, permissions), paused = COALESCE(?5, paused) "
                               "WHERE room_id = ?1 AND id = ?2", -1, &stmt, NULL) != SQLITE_OK)
        return STORE_ERROR;
    sql_bind_text(stmt, 1, room);
    sql_bind_text(stmt, 2, id);
    sql_bind_text(stmt, 3, label);
    sql_bind_text(stmt, 4, permissions_json);
    sql_bind_optional_int(stmt, 5, paused);
    return step_one_row(db, stmt);
}

int store_webhook_rotate(sqlite3 *db, const char *room, const char *id,
                         const unsigned char *hash, const char *preview)
{
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, "UPDATE webhooks SET secret_hash = ?3, secret_preview = ?4 "
                               "WHERE room_id = ?1 AND id = ?2", -1, &stmt, NULL) != SQLITE_OK)
        return STORE_ERROR;
    sql_bind_text(stmt, 1, room);
    sql_bind_text(stmt, 2, id);
    sqlite3_bind_blob(stmt, 3, hash, SECRET_HASH_SIZE, SQLITE_TRANSIENT);
    sql_bind_text(stmt, 4, preview);
    return step_one_row(db, stmt);
}

int store_webhook_delete(sqlite3 *db, const char *room, const char *id)
{
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(db, "DELETE FROM webhooks WHERE room_id = ?1 AND id = ?2",
                           -1, &stmt, NULL) != SQLITE_OK)
        return STORE_ERROR;
    sql_bind_text(stmt, 1, room);
    sql_bind_text(stmt, 2, id);
    return step_one_row(db, stmt);
}
