/* Statement helpers shared by the store_*.c files. Not used elsewhere. */
#ifndef STAYHOOKS_SERVER_STORE_SQL_H
#define STAYHOOKS_SERVER_STORE_SQL_H

#include <jansson.h>
#include <sqlite3.h>

/* Binds a string, or SQL NULL when `value` is NULL. */
int sql_bind_text(sqlite3_stmt *stmt, int index, const char *value);

/* Binds an integer, or SQL NULL when `value` is negative. */
int sql_bind_optional_int(sqlite3_stmt *stmt, int index, long value);

/* Runs a statement that returns no rows. Returns SQLITE_DONE on success. */
int sql_exec(sqlite3 *db, const char *sql);

/* Converts column `col` to a JSON string or null. */
json_t *sql_column_string(sqlite3_stmt *stmt, int col);

/* Converts column `col` to a JSON integer or null. */
json_t *sql_column_integer(sqlite3_stmt *stmt, int col);

/* Parses column `col` (JSON text) or returns null. */
json_t *sql_column_json(sqlite3_stmt *stmt, int col);

/* Sets `key` on `obj`, taking the reference; returns -1 on failure. */
int sql_set(json_t *obj, const char *key, json_t *value);

#endif
