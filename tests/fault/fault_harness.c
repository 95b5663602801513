/*
 * fault_harness.c: child-process control of fault_server for the tests.
 */
#define _GNU_SOURCE

#include "fault_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SERVERS 8
#define MAX_ARGS 32
#define PORT_WAIT_MS 10000

static struct fault_server pool[MAX_SERVERS];

static struct fault_server *take_free_slot(void)
{
    int i;

    for (i = 0; i < MAX_SERVERS; i++)
        if (pool[i].pid == 0 && pool[i].dir[0] == '\0')
            return &pool[i];
    return NULL;
}

/* Reads the port that the child prints once it is listening. */
static int read_port(int fd)
{
    struct pollfd pfd = { fd, POLLIN, 0 };
    char line[32];
    size_t used = 0;

    while (used + 1 < sizeof line) {
        ssize_t n;

        if (poll(&pfd, 1, PORT_WAIT_MS) <= 0)
            return -1;
        n = read(fd, line + used, 1);
        if (n <= 0)
            return -1;
        if (line[used] == '\n') {
            line[used] = '\0';
            return atoi(line);
        }
        used++;
    }
    return -1;
}

struct fault_server *fault_server_start(const char *mode, int tls,
                                        const char *const *options)
{
    struct fault_server *server = take_free_slot();
    char dir[64];
    const char *argv[MAX_ARGS];
    int argc = 0;
    int pipe_fds[2];
    pid_t pid;

    if (server == NULL)
        return NULL;
    memset(server, 0, sizeof *server);
    snprintf(dir, sizeof dir, "/tmp/stayhooks-fault-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return NULL;
    snprintf(server->dir, sizeof server->dir, "%s", dir);
    snprintf(server->stats_path, sizeof server->stats_path, "%s/stats", dir);
    snprintf(server->cert_path, sizeof server->cert_path, "%s/cert.pem", dir);

    argv[argc++] = FAULT_SERVER_PATH;
    argv[argc++] = mode;
    argv[argc++] = "--stats";
    argv[argc++] = server->stats_path;
    argv[argc++] = "--lifetime-s";
    argv[argc++] = "60";
    if (tls) {
        argv[argc++] = "--tls";
        argv[argc++] = server->cert_path;
    }
    while (options != NULL && *options != NULL && argc < MAX_ARGS - 1)
        argv[argc++] = *options++;
    argv[argc] = NULL;

    if (pipe(pipe_fds) != 0) {
        fault_server_stop(server);
        return NULL;
    }
    pid = fork();
    if (pid < 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        fault_server_stop(server);
        return NULL;
    }
    if (pid == 0) {
        /* The server must die with the test process, even on a crash. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(pipe_fds[1], STDOUT_FILENO);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }

    close(pipe_fds[1]);
    server->pid = pid;
    server->port = read_port(pipe_fds[0]);
    close(pipe_fds[0]);
    if (server->port <= 0) {
        fault_server_stop(server);
        return NULL;
    }
    return server;
}

void fault_server_stop(struct fault_server *server)
{
    char path[256];
    int i;

    if (server->pid > 0) {
        kill(server->pid, SIGKILL);
        waitpid(server->pid, NULL, 0);
        server->pid = 0;
    }
    if (server->dir[0] != '\0') {
        static const char *const names[] = { "stats", "stats.tmp", "cert.pem", "cert.pem.tmp" };

        for (i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
            snprintf(path, sizeof path, "%s/%s", server->dir, names[i]);
            unlink(path);
        }
        rmdir(server->dir);
        server->dir[0] = '\0';
    }
}

int fault_stop_all(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < MAX_SERVERS; i++)
        fault_server_stop(&pool[i]);
    return 0;
}

int fault_stats_read(const struct fault_server *server, struct fault_stats *stats)
{
    char line[8192];
    FILE *file = fopen(server->stats_path, "r");

    memset(stats, 0, sizeof *stats);
    if (file == NULL)
        return -1;
    while (fgets(line, sizeof line, file) != NULL) {
        long index;
        long at_ms;
        char target[256];
        int offset = 0;

        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "connections %ld", &stats->connections) == 1 ||
            sscanf(line, "requests %ld", &stats->requests) == 1 ||
            sscanf(line, "complete_bodies %ld", &stats->complete_bodies) == 1 ||
            sscanf(line, "invoke_bodies %ld", &stats->invoke_bodies) == 1)
            continue;
        if (sscanf(line, "request %ld at_ms %ld method %*s target %255s", &index, &at_ms,
                   target) == 3) {
            if (index >= 0 && index < FAULT_MAX_RECORDED) {
                stats->at_ms[index] = at_ms;
                snprintf(stats->target[index], sizeof stats->target[index], "%s", target);
                if (index + 1 > stats->request_count)
                    stats->request_count = index + 1;
            }
            continue;
        }
        if (sscanf(line, "body 0 %n", &offset) == 0 && offset > 0)
            snprintf(stats->first_body, sizeof stats->first_body, "%s", line + offset);
    }
    fclose(file);
    return 0;
}

int fault_closed_port(void)
{
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int port = -1;

    if (fd < 0)
        return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &addr_len) == 0)
        port = ntohs(addr.sin_port);
    close(fd);
    return port;
}

long fault_elapsed_ms(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}
