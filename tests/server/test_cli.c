/* The stayhooks-server command line: help, version, and exit status 2
 * with a message for bad arguments. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "test_support.h"

static char dir[TEST_PATH_MAX];
static char db[TEST_PATH_MAX];

static int group_setup(void **state)
{
    (void)state;
    if (test_temp_dir(dir, sizeof dir) != 0)
        return -1;
    return test_path_join(db, sizeof db, dir, "cli.db");
}

static int group_teardown(void **state)
{
    (void)state;
    return test_remove_tree(dir);
}

/* Runs the server binary with `args` and returns its exit status. `args`
 * is a shell word list written by the test, never outside input. Both
 * stdout and stderr go to `out`. */
static int run(const char *args, char *out, size_t size)
{
    char command[2048];
    FILE *pipe;
    size_t used = 0;
    int status;

    snprintf(command, sizeof command, "'%s' %s 2>&1", STAYHOOKS_SERVER_PATH, args);
    pipe = popen(command, "r");
    assert_non_null(pipe);
    while (used + 1 < size) {
        size_t n = fread(out + used, 1, size - used - 1, pipe);
        if (n == 0)
            break;
        used += n;
    }
    out[used] = '\0';
    status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void help_and_version_exit_0(void **state)
{
    char out[8192];
    (void)state;

    assert_int_equal(run("--help", out, sizeof out), 0);
    assert_non_null(strstr(out, "stayhooks-server serve [--listen HOST:PORT] [--db PATH] [--webhook-limit N]"));
    assert_non_null(strstr(out, "[--rate-limit COUNT/SECONDS] [--public-url URL]"));
    assert_non_null(strstr(out, "room add ROOM --owner USER"));
    assert_non_null(strstr(out, "token USER [--ttl SECONDS] [--db PATH]"));
    assert_int_equal(run("--version", out, sizeof out), 0);
    assert_non_null(strstr(out, "stayhooks-server 0."));
}

static void bad_arguments_exit_2(void **state)
{
    static const struct {
        const char *args;
        const char *message;
    } cases[] = {
        { "", "missing command" },
        { "launch", "unknown command 'launch'" },
        { "serve --listen nowhere", "invalid --listen 'nowhere'" },
        { "serve --listen 127.0.0.1:99999", "invalid --listen" },
        { "serve --listen :80", "invalid --listen" },
        { "serve --webhook-limit 0", "invalid --webhook-limit '0'" },
        { "serve --webhook-limit ten", "invalid --webhook-limit" },
        { "serve --webhook-limit 1000001", "expected an integer from 1 to 1000000" },
        { "serve --rate-limit 5", "invalid --rate-limit '5'" },
        { "serve --rate-limit 0/1", "invalid --rate-limit" },
        { "serve --rate-limit 5/0", "invalid --rate-limit" },
        { "serve --rate-limit 99999999999/1", "COUNT from 1 to 1000000 and SECONDS from 1 to 86400" },
        { "serve --public-url ftp://x", "invalid --public-url" },
        { "serve --public-url 'http://x y'", "invalid --public-url 'http://x y'" },
        { "serve --public-url 'https://h/b?q=1'", "no spaces, query (?) or fragment (#)" },
        { "serve --public-url 'https://h/b#f'", "invalid --public-url" },
        { "serve --public-url https:///path", "invalid --public-url" },
        { "serve --db", "option --db requires a value" },
        { "serve --verbose", "unknown serve option '--verbose'" },
        { "room", "expected 'room add ROOM --owner USER'" },
        { "room add r1", "room add requires --owner USER" },
        { "room add r1 --owner", "option --owner requires a value" },
        { "room add r1 --owner a --boss b", "unknown room add option '--boss'" },
        { "room add \"r$(printf '\\377')\" --owner a", "room ID must be valid UTF-8" },
        { "room add r1 --owner a --member \"$(printf '\\376')\"",
          "the user name after --member must be valid UTF-8" },
        { "token", "expected 'token USER'" },
        { "token alice --ttl 0", "invalid --ttl '0'" },
        { "token alice --ttl soon", "invalid --ttl" },
        { "token alice --ttl 99999999999999", "expected seconds from 1 to 315360000" },
        { "token \"$(printf '\\377')\"", "USER must be valid UTF-8" },
        { "token alice --scope all", "unknown token option '--scope'" },
    };
    char out[4096];
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int status = run(cases[i].args, out, sizeof out);
        if (status != 2 || strstr(out, cases[i].message) == NULL)
            print_error("'%s': exit %d, output %s\n", cases[i].args, status, out);
        assert_int_equal(status, 2);
        assert_non_null(strstr(out, cases[i].message));
        assert_non_null(strstr(out, "stayhooks-server: "));
    }
}

static void token_and_room_use_the_same_database(void **state)
{
    char args[2048];
    char out[4096];
    char first[4096];
    (void)state;

    snprintf(args, sizeof args, "room add r1 --owner alice --admin bob --member carol --db '%s'", db);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_non_null(strstr(out, "room r1: owner alice, 1 admin(s), 1 member(s)"));

    snprintf(args, sizeof args, "token alice --db '%s'", db);
    assert_int_equal(run(args, first, sizeof first), 0);
    /* header.payload.signature on one line. */
    assert_int_equal(strchr(first, '.') != NULL, 1);
    assert_int_equal(strchr(strchr(first, '.') + 1, '.') != NULL, 1);
    assert_string_equal(strchr(first, '\n'), "\n");

    snprintf(args, sizeof args, "token alice --ttl 60 --db '%s'", db);
    assert_int_equal(run(args, out, sizeof out), 0);
    assert_true(strlen(out) > 40);
}

static void serve_fails_on_unusable_db(void **state)
{
    char args[2048];
    char out[4096];
    (void)state;

    snprintf(args, sizeof args, "serve --listen 127.0.0.1:0 --db '%s/missing/dir/x.db'", dir);
    assert_int_equal(run(args, out, sizeof out), 1);
    assert_non_null(strstr(out, "cannot open database"));
    assert_null(strstr(out, "listening on"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_and_version_exit_0),
        cmocka_unit_test(bad_arguments_exit_2),
        cmocka_unit_test(token_and_room_use_the_same_database),
        cmocka_unit_test(serve_fails_on_unusable_db),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
