/*
 * test_support.h: helpers for tests that run against a real stayhooks-server.
 *
 * Built as the static library `stayhooks_test_support`. Link it and the
 * compile definition STAYHOOKS_SERVER_PATH (the server binary) comes with
 * it. Every server it starts listens on 127.0.0.1 with port 0, so tests
 * never touch a fixed port or another host.
 *
 * Typical use:
 *
 *     struct test_server server;
 *     char dir[TEST_PATH_MAX], db[TEST_PATH_MAX];
 *     test_temp_dir(dir, sizeof dir);
 *     test_path_join(db, sizeof db, dir, "server.db");
 *     test_server_start(&server, db, NULL);            // server.base_url
 *     const char *owner[] = { "room", "add", "r1", "--owner", "alice", NULL };
 *     test_server_command(db, owner, NULL, 0);
 *     char *token = test_mint_token(db, "alice", 0);
 *     ...test_http(...)...
 *     test_server_stop(&server);                        // or test_server_kill()
 *     test_remove_tree(dir);
 *
 * Functions return 0 on success and -1 on failure (after printing why to
 * stderr), unless stated otherwise. None of them is thread-safe.
 */
#ifndef STAYHOOKS_TEST_SUPPORT_H
#define STAYHOOKS_TEST_SUPPORT_H

#include <stddef.h>
#include <sys/types.h>

#define TEST_PATH_MAX 1024
#define TEST_MAX_EXTRA_ARGS 16

/* ---- temporary folders ---- */

/* Creates a new folder under $TMPDIR (default /tmp) and writes its path. */
int test_temp_dir(char *out, size_t size);

/* Writes "dir/name" into out. */
int test_path_join(char *out, size_t size, const char *dir, const char *name);

/* Removes a folder made by test_temp_dir() and everything in it. */
int test_remove_tree(const char *dir);

/* ---- the server process ---- */

struct test_server {
    pid_t pid;                       /* 0 when not running */
    char base_url[256];              /* "http://127.0.0.1:PORT", no slash */
    char db_path[TEST_PATH_MAX];
    char log_path[TEST_PATH_MAX];    /* the server's stderr: db path + ".log" */
    const char *extra_args[TEST_MAX_EXTRA_ARGS + 1]; /* borrowed, NULL-ended */
};

/* Starts `stayhooks-server serve --listen 127.0.0.1:0 --db DB_PATH` plus
 * `extra_args` (NULL-ended, may be NULL, kept for restarts, so they must
 * outlive the server), waits up to 10 seconds for the "listening on" line
 * and fills in base_url. The server's stderr is appended to log_path. */
int test_server_start(struct test_server *server, const char *db_path,
                      const char *const *extra_args);

/* Sends SIGTERM and waits up to 10 seconds. Returns the exit status, or -1
 * when the server did not exit cleanly (it is then killed). */
int test_server_stop(struct test_server *server);

/* Sends SIGKILL and reaps the process: a crash, with no chance to clean up. */
int test_server_kill(struct test_server *server);

/* Starts the server again on the same database with the same extra
 * arguments. The port usually changes, so base_url is updated. */
int test_server_restart(struct test_server *server);

/* Runs `stayhooks-server ARGS... --db DB_PATH` (args NULL-ended, e.g.
 * {"room", "add", "r1", "--owner", "alice", NULL}) and waits for it. When
 * `out` is not NULL it receives the first line of stdout without the
 * newline. Returns the exit status, or -1 when it could not run. */
int test_server_command(const char *db_path, const char *const *args, char *out, size_t size);

/* Returns a token minted by `stayhooks-server token USER` (ttl_seconds 0
 * means the default), as a new string to free(), or NULL. */
char *test_mint_token(const char *db_path, const char *user, long ttl_seconds);

/* ---- HTTP ---- */

struct test_http_response {
    long status;                     /* 0 when no reply arrived */
    char *body;                      /* NUL-terminated, never NULL after success */
    size_t body_len;
    char *headers;                   /* raw header block of the final reply */
};

/* Sends one request with libcurl. `headers` is a NULL-ended list of
 * "Name: value" strings (may be NULL). `body` (may be NULL) is sent as is
 * with `body_len` bytes; pass (size_t)-1 for strlen(body). No Content-Type
 * is added, so tests choose it. Redirects are not followed. Times out after
 * 30 seconds. Returns 0 when a reply arrived, whatever its status. */
int test_http(const char *method, const char *url, const char *const *headers,
              const char *body, size_t body_len, struct test_http_response *out);

/* Returns a new string with the value of header `name` (case-insensitive)
 * of the reply, or NULL. */
char *test_http_header(const struct test_http_response *response, const char *name);

void test_http_response_free(struct test_http_response *response);

/* Percent-encodes every byte outside A-Z a-z 0-9 - . _ ~. New string. */
char *test_percent_encode(const char *text);

#endif
