#define _XOPEN_SOURCE 700
#include "test_support.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef STAYHOOKS_SERVER_PATH
#error "STAYHOOKS_SERVER_PATH must name the stayhooks-server binary"
#endif

#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 10000
#define MAX_ARGS 48

int test_temp_dir(char *out, size_t size)
{
    const char *base = getenv("TMPDIR");

    if (base == NULL || *base == '\0')
        base = "/tmp";
    if (snprintf(out, size, "%s/stayhooks-test-XXXXXX", base) >= (int)size)
        return -1;
    if (mkdtemp(out) == NULL) {
        fprintf(stderr, "test_temp_dir: mkdtemp in %s failed: %s\n", base, strerror(errno));
        return -1;
    }
    return 0;
}

int test_path_join(char *out, size_t size, const char *dir, const char *name)
{
    return snprintf(out, size, "%s/%s", dir, name) < (int)size ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int test_remove_tree(const char *dir)
{
    /* Reject any path that test_temp_dir() did not make. */
    if (dir == NULL || strstr(dir, "/stayhooks-test-") == NULL)
        return -1;
    return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static long long now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads one line from `fd` within `timeout_ms`. Returns 0, or -1 on EOF,
 * error or timeout. */
static int read_line(int fd, char *out, size_t size, long timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    size_t used = 0;

    while (used + 1 < size) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        long long left = deadline - now_ms();
        char c;
        if (left <= 0)
            return -1;
        if (poll(&pfd, 1, (int)left) <= 0)
            continue;
        ssize_t n = read(fd, &c, 1);
        if (n <= 0)
            return -1;
        if (c == '\n')
            break;
        out[used++] = c;
    }
    out[used] = '\0';
    return 0;
}

/* Forks and runs the server binary with `argv` (argv[0] set here), stdout to
 * a pipe whose read end is returned in *out_fd, stderr to `log_path` or
 * inherited when it is NULL. When `wrap` is 1 and STAYHOOKS_TEST_WRAPPER
 * names a program (tests/support/valgrind.sh, say), the server runs
 * through it. Returns the child's pid or -1. */
static pid_t spawn(const char **argv, const char *log_path, int wrap, int *out_fd)
{
    const char *wrapper = wrap ? getenv("STAYHOOKS_TEST_WRAPPER") : NULL;
    const char *wrapped[MAX_ARGS + 1];
    int fds[2];
    pid_t pid;

    argv[0] = STAYHOOKS_SERVER_PATH;
    if (wrapper != NULL && wrapper[0] != '\0') {
        size_t i = 0;

        wrapped[0] = wrapper;
        for (; argv[i] != NULL && i < MAX_ARGS; i++)
            wrapped[i + 1] = argv[i];
        wrapped[i + 1] = NULL;
        argv = wrapped;
    }
    if (pipe(fds) != 0)
        return -1;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        if (log_path != NULL) {
            int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (log >= 0) {
                dup2(log, STDERR_FILENO);
                close(log);
            }
        }
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    *out_fd = fds[0];
    return pid;
}

/* Waits up to `timeout_ms` for `pid`. Returns the exit status, 128+signal
 * for a signal, or -1 on timeout. */
static int wait_for(pid_t pid, long timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    int status;

    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (done < 0 || now_ms() >= deadline)
            return -1;
        struct timespec pause = { 0, 10 * 1000000L };
        nanosleep(&pause, NULL);
    }
}

int test_server_restart(struct test_server *server)
{
    const char *argv[MAX_ARGS];
    char line[256];
    const char *prefix = "listening on ";
    size_t argc = 0;
    int fd = -1;

    argv[argc++] = NULL; /* set by spawn() */
    argv[argc++] = "serve";
    argv[argc++] = "--listen";
    argv[argc++] = "127.0.0.1:0";
    argv[argc++] = "--db";
    argv[argc++] = server->db_path;
    for (size_t i = 0; server->extra_args[i] != NULL && argc + 1 < MAX_ARGS; i++)
        argv[argc++] = server->extra_args[i];
    argv[argc] = NULL;

    server->pid = spawn(argv, server->log_path, 1, &fd);
    if (server->pid < 0) {
        server->pid = 0;
        fprintf(stderr, "test_server_start: cannot start %s\n", STAYHOOKS_SERVER_PATH);
        return -1;
    }
    if (read_line(fd, line, sizeof line, START_TIMEOUT_MS) != 0 ||
        strncmp(line, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "test_server_start: no \"listening on\" line; see %s\n", server->log_path);
        close(fd);
        test_server_kill(server);
        return -1;
    }
    close(fd);
    snprintf(server->base_url, sizeof server->base_url, "%s", line + strlen(prefix));
    return 0;
}

int test_server_start(struct test_server *server, const char *db_path,
                      const char *const *extra_args)
{
    size_t count = 0;

    memset(server, 0, sizeof *server);
    if (snprintf(server->db_path, sizeof server->db_path, "%s", db_path) >= (int)sizeof server->db_path ||
        snprintf(server->log_path, sizeof server->log_path, "%s.log", db_path) >= (int)sizeof server->log_path)
        return -1;
    while (extra_args != NULL && extra_args[count] != NULL) {
        if (count == TEST_MAX_EXTRA_ARGS)
            return -1;
        server->extra_args[count] = extra_args[count];
        count++;
    }
    server->extra_args[count] = NULL;
    return test_server_restart(server);
}

int test_server_stop(struct test_server *server)
{
    int status;

    if (server->pid <= 0)
        return -1;
    kill(server->pid, SIGTERM);
    status = wait_for(server->pid, STOP_TIMEOUT_MS);
    if (status < 0) {
        fprintf(stderr, "test_server_stop: server %ld ignored SIGTERM; killing it\n", (long)server->pid);
        test_server_kill(server);
        return -1;
    }
    server->pid = 0;
    return status;
}

int test_server_kill(struct test_server *server)
{
    if (server->pid <= 0)
        return -1;
    kill(server->pid, SIGKILL);
    wait_for(server->pid, STOP_TIMEOUT_MS);
    server->pid = 0;
    return 0;
}

int test_server_command(const char *db_path, const char *const *args, char *out, size_t size)
{
    const char *argv[MAX_ARGS];
    char line[4096];
    size_t argc = 0;
    int fd = -1;
    pid_t pid;
    int status;

    argv[argc++] = NULL;
    for (size_t i = 0; args[i] != NULL && argc + 3 < MAX_ARGS; i++)
        argv[argc++] = args[i];
    argv[argc++] = "--db";
    argv[argc++] = db_path;
    argv[argc] = NULL;

    /* Short commands (room add, token) run without the wrapper: valgrind
     * adds about a second to each, and a test that mints a token with a
     * 1 s lifetime would see it expire before its first use. */
    pid = spawn(argv, NULL, 0, &fd);
    if (pid < 0)
        return -1;
    if (read_line(fd, line, sizeof line, START_TIMEOUT_MS) != 0)
        line[0] = '\0';
    close(fd);
    status = wait_for(pid, START_TIMEOUT_MS);
    if (status < 0) {
        kill(pid, SIGKILL);
        wait_for(pid, STOP_TIMEOUT_MS);
        return -1;
    }
    if (out != NULL)
        snprintf(out, size, "%s", line);
    return status;
}

char *test_mint_token(const char *db_path, const char *user, long ttl_seconds)
{
    char ttl[32];
    char token[4096];
    const char *with_ttl[] = { "token", user, "--ttl", ttl, NULL };
    const char *plain[] = { "token", user, NULL };

    snprintf(ttl, sizeof ttl, "%ld", ttl_seconds);
    if (test_server_command(db_path, ttl_seconds > 0 ? with_ttl : plain, token, sizeof token) != 0 ||
        token[0] == '\0') {
        fprintf(stderr, "test_mint_token: 'stayhooks-server token %s' failed\n", user);
        return NULL;
    }
    return strdup(token);
}
