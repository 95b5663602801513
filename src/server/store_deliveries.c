#include "store.h"
#include "store_sql.h"

static int insert_message(sqlite3 *db, const struct store_delivery *d)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;

    if (sqlite3_prepare_v2(db, "INSERT INTO messages (id, room_id, webhook_id, kind, alias, text, "
                               "embed, poll_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, d->message_id);
    sql_bind_text(stmt, 2, d->room_id);
    sql_bind_text(stmt, 3, d->webhook_id);
    sql_bind_text(stmt, 4, d->kind);
    sql_bind_text(stmt, 5, d->alias);
    sql_bind_text(stmt, 6, d->text);
    sql_bind_text(stmt, 7, d->embed_json);
    sql_bind_text(stmt, 8, d->poll_id);
    sql_bind_text(stmt, 9, d->created_at);
    if (sqlite3_step(stmt) == SQLITE_DONE)
        rc = STORE_OK;

done:
    sqlite3_finalize(stmt);
    return rc;
}

static int insert_poll(sqlite3 *db, const struct store_delivery *d)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;

    if (sqlite3_prepare_v2(db, "INSERT INTO polls (id, room_id, message_id, webhook_id, question, "
                               "options, multiple_choice, ends_in_minutes, ends_at, created_at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, d->poll_id);
    sql_bind_text(stmt, 2, d->room_id);
    sql_bind_text(stmt, 3, d->message_id);
    sql_bind_text(stmt, 4, d->webhook_id);
    sql_bind_text(stmt, 5, d->question);
    sql_bind_text(stmt, 6, d->options_json);
    sqlite3_bind_int(stmt, 7, d->multiple_choice ? 1 : 0);
    sql_bind_optional_int(stmt, 8, d->ends_in_minutes);
    sql_bind_text(stmt, 9, d->ends_at);
    sql_bind_text(stmt, 10, d->created_at);
    if (sqlite3_step(stmt) == SQLITE_DONE)
        rc = STORE_OK;

done:
    sqlite3_finalize(stmt);
    return rc;
}

static int insert_image(sqlite3 *db, const struct store_delivery *d)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;

    if (sqlite3_prepare_v2(db, "INSERT INTO images (id, room_id, webhook_id, url, w, h, x, y, "
                               "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, d->image_id);
    sql_bind_text(stmt, 2, d->room_id);
    sql_bind_text(stmt, 3, d->webhook_id);
    sql_bind_text(stmt, 4, d->url);
    sql_bind_optional_int(stmt, 5, d->w);
    sql_bind_optional_int(stmt, 6, d->h);
    sql_bind_optional_int(stmt, 7, d->x);
    sql_bind_optional_int(stmt, 8, d->y);
    sql_bind_text(stmt, 9, d->created_at);
    if (sqlite3_step(stmt) == SQLITE_DONE)
        rc = STORE_OK;

done:
    sqlite3_finalize(stmt);
    return rc;
}

static int touch_webhook(sqlite3 *db, const struct store_delivery *d)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;

    if (sqlite3_prepare_v2(db, "UPDATE webhooks SET last_used_at = ?3 WHERE room_id = ?1 AND id = ?2",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, d->room_id);
    sql_bind_text(stmt, 2, d->webhook_id);
    sql_bind_text(stmt, 3, d->created_at);
    if (sqlite3_step(stmt) == SQLITE_DONE)
        rc = STORE_OK;

done:
    sqlite3_finalize(stmt);
    return rc;
}

int store_delivery_insert(sqlite3 *db, const struct store_delivery *d)
{
    int rc = STORE_ERROR;

    if (sql_exec(db, "BEGIN IMMEDIATE") != SQLITE_DONE)
        return STORE_ERROR;
    if (d->message_id != NULL && insert_message(db, d) != STORE_OK)
        goto done;
    if (d->poll_id != NULL && insert_poll(db, d) != STORE_OK)
        goto done;
    if (d->image_id != NULL && insert_image(db, d) != STORE_OK)
        goto done;
    if (touch_webhook(db, d) != STORE_OK)
        goto done;
    if (sql_exec(db, "COMMIT") != SQLITE_DONE)
        goto done;
    rc = STORE_OK;

done:
    if (rc != STORE_OK)
        sql_exec(db, "ROLLBACK");
    return rc;
}

/* Row builders for the read-back arrays; each matches its SELECT below. */
typedef json_t *(*row_builder)(sqlite3_stmt *stmt);

static json_t *message_row(sqlite3_stmt *stmt)
{
    json_t *obj = json_object();
    int bad = obj == NULL;

    if (bad)
        return NULL;
    bad |= sql_set(obj, "id", sql_column_string(stmt, 0));
    bad |= sql_set(obj, "webhookId", sql_column_string(stmt, 1));
    bad |= sql_set(obj, "kind", sql_column_string(stmt, 2));
    bad |= sql_set(obj, "alias", sql_column_string(stmt, 3));
    bad |= sql_set(obj, "text", sql_column_string(stmt, 4));
    bad |= sql_set(obj, "embed", sql_column_json(stmt, 5));
    bad |= sql_set(obj, "pollId", sql_column_string(stmt, 6));
    bad |= sql_set(obj, "createdAt", sql_column_string(stmt, 7));
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *poll_row(sqlite3_stmt *stmt)
{
    json_t *obj = json_object();
    int bad = obj == NULL;

    if (bad)
        return NULL;
    bad |= sql_set(obj, "id", sql_column_string(stmt, 0));
    bad |= sql_set(obj, "messageId", sql_column_string(stmt, 1));
    bad |= sql_set(obj, "webhookId", sql_column_string(stmt, 2));
    bad |= sql_set(obj, "question", sql_column_string(stmt, 3));
    bad |= sql_set(obj, "options", sql_column_json(stmt, 4));
    bad |= sql_set(obj, "multipleChoice", json_boolean(sqlite3_column_int(stmt, 5)));
    bad |= sql_set(obj, "endsInMinutes", sql_column_integer(stmt, 6));
    bad |= sql_set(obj, "endsAt", sql_column_string(stmt, 7));
    bad |= sql_set(obj, "createdAt", sql_column_string(stmt, 8));
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *image_row(sqlite3_stmt *stmt)
{
    json_t *obj = json_object();
    int bad = obj == NULL;

    if (bad)
        return NULL;
    bad |= sql_set(obj, "id", sql_column_string(stmt, 0));
    bad |= sql_set(obj, "webhookId", sql_column_string(stmt, 1));
    bad |= sql_set(obj, "url", sql_column_string(stmt, 2));
    bad |= sql_set(obj, "w", sql_column_integer(stmt, 3));
    bad |= sql_set(obj, "h", sql_column_integer(stmt, 4));
    bad |= sql_set(obj, "x", sql_column_integer(stmt, 5));
    bad |= sql_set(obj, "y", sql_column_integer(stmt, 6));
    bad |= sql_set(obj, "createdAt", sql_column_string(stmt, 7));
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static int select_rows(sqlite3 *db, const char *sql, const char *room,
                       row_builder build, json_t **out)
{
    sqlite3_stmt *stmt = NULL;
    json_t *list = json_array();
    int rc = STORE_ERROR;
    int step;

    *out = NULL;
    if (list == NULL)
        goto done;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, room);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *row = build(stmt);
        if (row == NULL || json_array_append_new(list, row) != 0)
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

int store_messages(sqlite3 *db, const char *room, json_t **out)
{
    return select_rows(db, "SELECT id, webhook_id, kind, alias, text, embed, poll_id, created_at "
                           "FROM messages WHERE room_id = ?1 ORDER BY seq",
                       room, message_row, out);
}

int store_polls(sqlite3 *db, const char *room, json_t **out)
{
    return select_rows(db, "SELECT id, message_id, webhook_id, question, options, multiple_choice, "
                           "ends_in_minutes, ends_at, created_at FROM polls WHERE room_id = ?1 ORDER BY seq",
                       room, poll_row, out);
}

int store_images(sqlite3 *db, const char *room, json_t **out)
{
    return select_rows(db, "SELECT id, webhook_id, url, w, h, x, y, created_at "
                           "FROM images WHERE room_id = ?1 ORDER BY seq",
                       room, image_row, out);
}
