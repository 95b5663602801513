#include "store.h"

#include <stdio.h>
#include <string.h>

#include "store_sql.h"

#define STORE_BUSY_TIMEOUT_MS 10000

static const char *const schema_sql =
    "CREATE TABLE IF NOT EXISTS meta ("
    "  key TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS rooms ("
    "  id TEXT PRIMARY KEY, owner TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS room_members ("
    "  room_id TEXT NOT NULL, user_id TEXT NOT NULL,"
    "  role INTEGER NOT NULL, PRIMARY KEY (room_id, user_id));"
    "CREATE TABLE IF NOT EXISTS webhooks ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  room_id TEXT NOT NULL, id TEXT NOT NULL UNIQUE, label TEXT NOT NULL,"
    "  permissions TEXT NOT NULL, paused INTEGER NOT NULL DEFAULT 0,"
    "  created_at TEXT, created_by TEXT, last_used_at TEXT,"
    "  secret_hash BLOB NOT NULL, secret_preview TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS webhooks_room ON webhooks (room_id, seq);"
    "CREATE TABLE IF NOT EXISTS messages ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  id TEXT NOT NULL UNIQUE, room_id TEXT NOT NULL, webhook_id TEXT NOT NULL,"
    "  kind TEXT NOT NULL, alias TEXT, text TEXT, embed TEXT, poll_id TEXT,"
    "  created_at TEXT NOT NULL, extra TEXT);"
    "CREATE INDEX IF NOT EXISTS messages_room ON messages (room_id, seq);"
    "CREATE TABLE IF NOT EXISTS polls ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  id TEXT NOT NULL UNIQUE, room_id TEXT NOT NULL, message_id TEXT NOT NULL,"
    "  webhook_id TEXT NOT NULL, question TEXT NOT NULL, options TEXT NOT NULL,"
    "  multiple_choice INTEGER NOT NULL, ends_in_minutes INTEGER, ends_at TEXT,"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS polls_room ON polls (room_id, seq);"
    "CREATE TABLE IF NOT EXISTS images ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  id TEXT NOT NULL UNIQUE, room_id TEXT NOT NULL, webhook_id TEXT NOT NULL,"
    "  url TEXT NOT NULL, w INTEGER, h INTEGER, x INTEGER, y INTEGER,"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS images_room ON images (room_id, seq);";

int sql_bind_text(sqlite3_stmt *stmt, int index, const char *value)
{
    if (value == NULL)
        return sqlite3_bind_null(stmt, index);
    return sqlite3_bind_text(stmt, index, value, -1, SQLITE_TRANSIENT);
}

int sql_bind_optional_int(sqlite3_stmt *stmt, int index, long value)
{
    if (value < 0)
        return sqlite3_bind_null(stmt, index);
    return sqlite3_bind_int64(stmt, index, value);
}

int sql_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? SQLITE_DONE : SQLITE_ERROR;
}

json_t *sql_column_string(sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);

    if (sqlite3_column_type(stmt, col) == SQLITE_NULL || text == NULL)
        return json_null();
    return json_stringn((const char *)text, (size_t)sqlite3_column_bytes(stmt, col));
}

json_t *sql_column_integer(sqlite3_stmt *stmt, int col)
{
    if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
        return json_null();
    return json_integer(sqlite3_column_int64(stmt, col));
}

json_t *sql_column_json(sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    json_t *value;

    if (sqlite3_column_type(stmt, col) == SQLITE_NULL || text == NULL)
        return json_null();
    value = json_loads((const char *)text, JSON_DECODE_ANY, NULL);
    return value != NULL ? value : json_null();
}

int sql_set(json_t *obj, const char *key, json_t *value)
{
    return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

/* Returns 1 when `table` has `column`, 0 when not, -1 on error. */
static int has_column(sqlite3 *db, const char *table, const char *column)
{
    sqlite3_stmt *stmt = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, table);
    sql_bind_text(stmt, 2, column);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        rc = sqlite3_column_int(stmt, 0) > 0;

done:
    sqlite3_finalize(stmt);
    return rc;
}

/* Adds the messages.extra column to a database made before it existed,
 * because CREATE TABLE IF NOT EXISTS leaves an existing table unchanged.
 * Returns 0 or -1 with `*error` set by SQLite or left NULL. */
static int upgrade_schema(sqlite3 *db, char **error)
{
    int present = has_column(db, "messages", "extra");

    if (present != 0)
        return present == 1 ? 0 : -1;
    if (sqlite3_exec(db, "ALTER TABLE messages ADD COLUMN extra TEXT", NULL, NULL, error) == SQLITE_OK)
        return 0;

    /* Another process that opened the database at the same time may have
     * added the column first. */
    if (has_column(db, "messages", "extra") == 1) {
        sqlite3_free(*error);
        *error = NULL;
        return 0;
    }
    return -1;
}

sqlite3 *store_open(const char *path, char *why, size_t why_size)
{
    sqlite3 *db = NULL;
    char *error = NULL;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(why, why_size, "cannot open database %s: %s", path,
                 db != NULL ? sqlite3_errmsg(db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);

    /* WAL lets readers run beside the writer. synchronous=FULL syncs the
     * WAL on every commit, so an acknowledged invoke survives a power loss
     * as well as a killed process. */
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, &error) != SQLITE_OK)
        goto sql_fail;
    if (sqlite3_exec(db, schema_sql, NULL, NULL, &error) != SQLITE_OK)
        goto sql_fail;
    if (upgrade_schema(db, &error) != 0)
        goto sql_fail;
    return db;

sql_fail:
    snprintf(why, why_size, "cannot set up database %s: %s", path,
             error != NULL ? error : sqlite3_errmsg(db));
    sqlite3_free(error);
fail:
    sqlite3_close(db);
    return NULL;
}

int store_signing_key(sqlite3 *db, unsigned char *key, size_t key_len)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;

    /* INSERT OR IGNORE makes the first process to create the key win, so
     * `serve` and `token` started together still agree. */
    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO meta (key, value) "
                               "VALUES ('jwt_key', randomblob(?1))", -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sqlite3_bind_int(stmt, 1, (int)key_len);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto done;
    sqlite3_finalize(stmt);

    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'jwt_key'", -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    if (sqlite3_step(stmt) != SQLITE_ROW)
        goto done;
    if ((size_t)sqlite3_column_bytes(stmt, 0) != key_len)
        goto done;
    memcpy(key, sqlite3_column_blob(stmt, 0), key_len);
    rc = STORE_OK;

done:
    sqlite3_finalize(stmt);
    return rc;
}

static int add_member(sqlite3 *db, const char *room, const char *user, enum store_role role)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;

    if (sqlite3_prepare_v2(db, "INSERT INTO room_members (room_id, user_id, role) VALUES (?1, ?2, ?3) "
                               "ON CONFLICT (room_id, user_id) DO UPDATE SET role = excluded.role",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, room);
    sql_bind_text(stmt, 2, user);
    sqlite3_bind_int(stmt, 3, (int)role);
    if (sqlite3_step(stmt) == SQLITE_DONE)
        rc = STORE_OK;

done:
    sqlite3_finalize(stmt);
    return rc;
}

int store_room_add(sqlite3 *db, const char *room, const char *owner,
                   char *const *admins, size_t admin_count,
                   char *const *members, size_t member_count)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;

    if (sql_exec(db, "BEGIN IMMEDIATE") != SQLITE_DONE)
        return STORE_ERROR;
    if (sqlite3_prepare_v2(db, "INSERT INTO rooms (id, owner) VALUES (?1, ?2) "
                               "ON CONFLICT (id) DO UPDATE SET owner = excluded.owner",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, room);
    sql_bind_text(stmt, 2, owner);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto done;

    /* A previous owner stays in the room as an admin until changed. */
    sqlite3_finalize(stmt);
    if (sqlite3_prepare_v2(db, "UPDATE room_members SET role = 2 WHERE room_id = ?1 AND role = 3",
                           -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, room);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto done;
    for (size_t i = 0; i < member_count; i++) {
        if (add_member(db, room, members[i], ROLE_MEMBER) != STORE_OK)
            goto done;
    }
    for (size_t i = 0; i < admin_count; i++) {
        if (add_member(db, room, admins[i], ROLE_ADMIN) != STORE_OK)
            goto done;
    }
    if (add_member(db, room, owner, ROLE_OWNER) != STORE_OK)
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

int store_room_role(sqlite3 *db, const char *room, const char *user, enum store_role *role)
{
    sqlite3_stmt *stmt = NULL;
    int rc = STORE_ERROR;
    int step;

    *role = ROLE_NONE;
    if (sqlite3_prepare_v2(db, "SELECT (SELECT role FROM room_members WHERE room_id = r.id AND user_id = ?2) "
                               "FROM rooms r WHERE r.id = ?1", -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    sql_bind_text(stmt, 1, room);
    sql_bind_text(stmt, 2, user);
    step = sqlite3_step(stmt);
    if (step == SQLITE_DONE) {
        rc = STORE_NOT_FOUND;
        goto done;
    }
    if (step != SQLITE_ROW)
        goto done;
    if (sqlite3_column_type(stmt, 0) != SQLITE_NULL)
        *role = (enum store_role)sqlite3_column_int(stmt, 0);
    rc = STORE_OK;

done:
    sqlite3_finalize(stmt);
    return rc;
}
