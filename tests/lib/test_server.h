/* test_server.h: an HTTP server for the library tests, on 127.0.0.1 and a
 * free port. It records every request (method, raw path and query,
 * headers, body) and replies from a script. Without a script it replies
 * 200 with a body that every call of the library accepts. */
#ifndef STAYHOOKS_TEST_SERVER_H
#define STAYHOOKS_TEST_SERVER_H

#include <stddef.h>

#include <stayhooks.h>

#define TEST_SERVER_MAX_HEADERS 32
#define TEST_SERVER_MAX_REPLY_HEADERS 4

typedef struct test_request {
    char method[16];
    char *url;                 /* raw path plus "?query" when there is one */
    char *header_names[TEST_SERVER_MAX_HEADERS];
    char *header_values[TEST_SERVER_MAX_HEADERS];
    size_t header_count;
    char *body;                /* NUL-terminated, "" when none */
    size_t body_len;
} test_request;

typedef enum test_action {
    TEST_REPLY = 0,  /* send status, headers and body */
    TEST_DROP = 1    /* read the request, then close without replying */
} test_action;

typedef struct test_reply {
    test_action action;
    int status;
    const char *header_names[TEST_SERVER_MAX_REPLY_HEADERS];
    const char *header_values[TEST_SERVER_MAX_REPLY_HEADERS];
    const char *body;
} test_reply;

typedef struct test_server test_server;

/* Starts a server. Returns NULL when it cannot. */
test_server *test_server_start(void);

/* Stops the server and frees everything it recorded. Accepts NULL. */
void test_server_stop(test_server *server);

/* "http://127.0.0.1:PORT", borrowed. */
const char *test_server_base_url(const test_server *server);

/* Replaces the script: request i gets replies[i], and requests past the
 * end get the last reply. Clears the recorded requests. The replies and
 * their strings are copied. */
void test_server_script(test_server *server, const test_reply *replies, size_t count);

/* Clears the script (back to the default reply) and the records. */
void test_server_reset(test_server *server);

size_t test_server_request_count(test_server *server);

/* Returns recorded request `index`, borrowed until the next reset. */
const test_request *test_server_request(test_server *server, size_t index);

/* Returns the value of header `name` (any case) or NULL. */
const char *test_request_header(const test_request *request, const char *name);

/* Returns how many TCP connections the server has accepted. */
unsigned test_server_connection_count(test_server *server);

/* Returns a 127.0.0.1 port on which nothing listens: bound, then closed. */
int test_refused_port(void);

/* Returns a reply that sends `status` and `body` with no extra headers. */
test_reply test_reply_with(int status, const char *body);

/*
 * cmocka fixtures for a group of tests that share one server
 * (test_server_group.c). Pass test_group_start and test_group_stop to
 * cmocka_run_group_tests(), and test_group_reset as each test's setup.
 */

/* The group's server, set by test_group_start(). */
extern test_server *test_group_server;

/* Starts test_group_server. Returns -1 when it cannot, which fails the
 * whole group. */
int test_group_start(void **state);

/* Stops test_group_server. */
int test_group_stop(void **state);

/* Clears test_group_server's script and records before a test. */
int test_group_reset(void **state);

/* Fills `options` with the defaults, test_group_server's base URL and
 * `token` (borrowed). */
void test_group_options(stayhooks_options *options, const char *token);

/* Creates a client from `options`, and fails the running test with the
 * library's message when that fails. */
stayhooks_client *test_group_client(const stayhooks_options *options);

#endif
