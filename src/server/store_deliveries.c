#include "store.h"
#include "store_sql.h"

#include <pthread.h>

static int insert_message(sqlite3 *db, const struct store_delivery *d)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;

    if (sqlite3_prepare_v2(db, "INSERT INTO messages (id, room_id, webhook_id, kind, alias, text, "
                               "embed, poll_id, created_at, extra) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
    sql_bind_text(stmt, 10, d->extra_json);
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

/* Stores one delivery inside the open transaction. A savepoint keeps a
 * failed delivery from undoing the others of its group. */
static int insert_one(sqlite3 *db, const struct store_delivery *d)
{
    int rc = STORE_ERROR;

    if (sql_exec(db, "SAVEPOINT delivery") != SQLITE_DONE)
        return STORE_ERROR;
    if (d->message_id != NULL && insert_message(db, d) != STORE_OK)
        goto done;
    if (d->poll_id != NULL && insert_poll(db, d) != STORE_OK)
        goto done;
    if (d->image_id != NULL && insert_image(db, d) != STORE_OK)
        goto done;
    if (touch_webhook(db, d) != STORE_OK)
        goto done;
    rc = STORE_OK;

done:
    if (rc != STORE_OK)
        sql_exec(db, "ROLLBACK TO delivery");
    if (sql_exec(db, "RELEASE delivery") != SQLITE_DONE)
        rc = STORE_ERROR;
    return rc;
}

/*
 * Group commit. Every request thread that stores a delivery joins a queue.
 * One of them at a time is the leader: it takes the queued deliveries,
 * writes them in one transaction on its own connection, and reports each
 * outcome after COMMIT returned. With synchronous=FULL one fsync then
 * covers the whole group, and the writers no longer wait for each other in
 * SQLite's busy handler, whose sleeps of up to 100 ms made the slow tail.
 */
#define GROUP_MAX_DELIVERIES 64

struct queued_delivery {
    const struct store_delivery *delivery;
    int status;                    /* valid once `done` is set */
    int done;
    struct queued_delivery *next;
};

static pthread_mutex_t group_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t group_finished = PTHREAD_COND_INITIALIZER;
static struct queued_delivery *queue_head;
static struct queued_delivery *queue_tail;
static int leader_active;

/* Detaches up to GROUP_MAX_DELIVERIES from the queue. Call with the lock. */
static struct queued_delivery *take_group(void)
{
    struct queued_delivery *group = queue_head;
    struct queued_delivery *last = queue_head;

    for (int n = 1; n < GROUP_MAX_DELIVERIES && last->next != NULL; n++)
        last = last->next;
    queue_head = last->next;
    if (queue_head == NULL)
        queue_tail = NULL;
    last->next = NULL;
    return group;
}

/* Writes a group in one transaction. When COMMIT fails, nothing of the
 * group was stored, so every delivery in it fails. */
static void commit_group(sqlite3 *db, struct queued_delivery *group)
{
    int began = sql_exec(db, "BEGIN IMMEDIATE") == SQLITE_DONE;

    for (struct queued_delivery *q = group; q != NULL; q = q->next) {
        /* Some errors (a full disk, an I/O error) roll the whole
         * transaction back. A SAVEPOINT would then open a new one that
         * commits on its own, so stop writing. */
        if (began && sqlite3_get_autocommit(db))
            began = 0;
        q->status = began ? insert_one(db, q->delivery) : STORE_ERROR;
    }
    if (!began || sqlite3_get_autocommit(db)) {
        for (struct queued_delivery *q = group; q != NULL; q = q->next)
            q->status = STORE_ERROR;
        return;
    }
    if (sql_exec(db, "COMMIT") != SQLITE_DONE) {
        sql_exec(db, "ROLLBACK");
        for (struct queued_delivery *q = group; q != NULL; q = q->next)
            q->status = STORE_ERROR;
    }
}

int store_delivery_insert(sqlite3 *db, const struct store_delivery *d)
{
    struct queued_delivery self = { d, STORE_ERROR, 0, NULL };

    pthread_mutex_lock(&group_lock);
    if (queue_tail != NULL)
        queue_tail->next = &self;
    else
        queue_head = &self;
    queue_tail = &self;

    /* A thread whose delivery did not fit into the last group leads the
     * next one, so every queued delivery is written exactly once. */
    while (!self.done) {
        if (leader_active) {
            pthread_cond_wait(&group_finished, &group_lock);
            continue;
        }

        leader_active = 1;
        struct queued_delivery *group = take_group();
        pthread_mutex_unlock(&group_lock);

        commit_group(db, group);

        pthread_mutex_lock(&group_lock);
        while (group != NULL) {
            struct queued_delivery *next = group->next;
            group->done = 1;
            group = next;
        }
        leader_active = 0;
        pthread_cond_broadcast(&group_finished);
    }
    pthread_mutex_unlock(&group_lock);
    return self.status;
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
    bad |= sql_set(obj, "extra", sql_column_json(stmt, 8));
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

/* Appends the row's seq (the column after the builder's columns) to
 * `row` as its "cursor" and stores it in *cursor. */
static int add_cursor(json_t *row, sqlite3_stmt *stmt, int column, sqlite3_int64 *cursor)
{
    *cursor = sqlite3_column_int64(stmt, column);
    return sql_set(row, "cursor", json_integer((json_int_t)*cursor));
}

/* Runs `sql`, whose parameters are ?1 room, ?2 after and ?3 limit and
 * whose last column is seq, and collects one object per row. */
static int select_rows(sqlite3 *db, const char *sql, const char *room,
                       const struct store_page *page, row_builder build,
                       json_t **out, sqlite3_int64 *cursor)
{
    sqlite3_stmt *stmt = NULL;
    json_t *list = json_array();
    sqlite3_int64 last = page->after;
    int rc = STORE_ERROR;
    int step;

    *out = NULL;
    if (list == NULL)
        goto done;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, room);
    sqlite3_bind_int64(stmt, 2, page->after);
    /* SQLite reads a negative LIMIT as no limit. */
    sqlite3_bind_int64(stmt, 3, page->limit > 0 ? page->limit : -1);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *row = build(stmt);
        if (row == NULL)
            goto done;
        if (add_cursor(row, stmt, sqlite3_column_count(stmt) - 1, &last) != 0) {
            json_decref(row);
            goto done;
        }
        /* json_array_append_new() releases the row when it fails. */
        if (json_array_append_new(list, row) != 0)
            goto done;
    }
    if (step != SQLITE_DONE)
        goto done;
    *out = list;
    *cursor = last;
    list = NULL;
    rc = STORE_OK;

done:
    json_decref(list);
    sqlite3_finalize(stmt);
    return rc;
}

int store_messages(sqlite3 *db, const char *room, const struct store_page *page,
                   json_t **out, sqlite3_int64 *cursor)
{
    return select_rows(db, "SELECT id, webhook_id, kind, alias, text, embed, poll_id, created_at, "
                           "extra, seq FROM messages WHERE room_id = ?1 AND seq > ?2 "
                           "ORDER BY seq LIMIT ?3",
                       room, page, message_row, out, cursor);
}

int store_polls(sqlite3 *db, const char *room, const struct store_page *page,
                json_t **out, sqlite3_int64 *cursor)
{
    return select_rows(db, "SELECT id, message_id, webhook_id, question, options, multiple_choice, "
                           "ends_in_minutes, ends_at, created_at, seq FROM polls "
                           "WHERE room_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                       room, page, poll_row, out, cursor);
}

int store_images(sqlite3 *db, const char *room, const struct store_page *page,
                 json_t **out, sqlite3_int64 *cursor)
{
    return select_rows(db, "SELECT id, webhook_id, url, w, h, x, y, created_at, seq "
                           "FROM images WHERE room_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                       room, page, image_row, out, cursor);
}
