/* server: fork/exec a server under test, time its first answer, stop it. */
#define _GNU_SOURCE /* pipe2 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

struct server {
    pid_t pid;
    int reaped;
    struct timespec started;
    char detail[160];
};

const char *server_strerror(server_err_t err)
{
    switch (err) {
    case SERVER_OK: return "ok";
    case SERVER_ENOMEM: return "out of memory";
    case SERVER_ESPAWN: return "could not start the server";
    case SERVER_EEXITED: return "the server exited before answering";
    case SERVER_ETIMEOUT: return "the server did not answer in time";
    }
    return "unknown server error";
}

static double since_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A copy of arg with "{port}" replaced; NULL on allocation failure. */
static char *substitute(const char *arg, unsigned port)
{
    char num[16];
    snprintf(num, sizeof num, "%u", port);
    size_t len = strlen(arg) + 1;
    for (const char *p = strstr(arg, "{port}"); p; p = strstr(p + 6, "{port}")) len += strlen(num);
    char *out = malloc(len), *o = out;
    if (!out) return NULL;
    for (const char *p = arg; *p;) {
        if (strncmp(p, "{port}", 6) == 0) {
            o += sprintf(o, "%s", num);
            p += 6;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* In the child: never returns. Reports exec's errno through the pipe. */
static void child(char **argv, const char *log, int report_fd, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127); /* the parent died before prctl */
    int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) goto fail;
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execvp(argv[0], argv);
fail:;
    int e = errno;
    ssize_t w = write(report_fd, &e, sizeof e);
    (void)w;
    _exit(127);
}

server_err_t server_start(char *const argv[], unsigned port, const char *log, server_t **out)
{
    server_err_t err = SERVER_ENOMEM;
    size_t argc = 0;
    while (argv[argc]) argc++;
    char **args = calloc(argc + 1, sizeof *args);
    server_t *s = calloc(1, sizeof *s);
    int fds[2] = {-1, -1};
    if (!args || !s) goto done;
    for (size_t i = 0; i < argc; i++)
        if (!(args[i] = substitute(argv[i], port))) goto done;

    err = SERVER_ESPAWN;
    if (pipe2(fds, O_CLOEXEC) != 0) goto done;
    pid_t parent = getpid();
    clock_gettime(CLOCK_MONOTONIC, &s->started);
    s->pid = fork();
    if (s->pid < 0) {
        snprintf(s->detail, sizeof s->detail, "fork: %s", strerror(errno));
        goto done;
    }
    if (s->pid == 0) child(args, log, fds[1], parent);
    close(fds[1]);
    fds[1] = -1;
    int e = 0;
    ssize_t r;
    do r = read(fds[0], &e, sizeof e);
    while (r < 0 && errno == EINTR);
    if (r > 0) { /* exec failed */
        fprintf(stderr, "bench-ddb: cannot run %s: %s\n", args[0], strerror(e));
        waitpid(s->pid, NULL, 0);
        goto done;
    }
    *out = s;
    s = NULL;
    err = SERVER_OK;
done:
    if (fds[0] >= 0) close(fds[0]);
    if (fds[1] >= 0) close(fds[1]);
    for (size_t i = 0; args && i < argc; i++) free(args[i]);
    free(args);
    free(s);
    return err;
}

server_err_t server_wait_ready(server_t *s, const char *base_url, double timeout_s, double *ms)
{
    for (;;) {
        if (wire_probe(base_url, 1000) == WIRE_OK) {
            *ms = since_ms(&s->started);
            return SERVER_OK;
        }
        int status = 0;
        if (!s->reaped && waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->reaped = 1;
            if (WIFEXITED(status))
                snprintf(s->detail, sizeof s->detail, "exited with status %d", WEXITSTATUS(status));
            else
                snprintf(s->detail, sizeof s->detail, "killed by signal %d", WTERMSIG(status));
            return SERVER_EEXITED;
        }
        if (since_ms(&s->started) > timeout_s * 1e3) return SERVER_ETIMEOUT;
        /* Connection refused comes back at once: poll every 0.5 ms, so the
         * start-up figure is as fine as the servers' own. */
        struct timespec pause = {0, 500 * 1000};
        nanosleep(&pause, NULL);
    }
}

pid_t server_pid(const server_t *s) { return s->pid; }

const char *server_detail(const server_t *s) { return s->detail; }

void server_stop(server_t *s)
{
    if (!s) return;
    if (!s->reaped) {
        kill(s->pid, SIGTERM);
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (waitpid(s->pid, NULL, WNOHANG) == 0) {
            if (since_ms(&t0) > 5000) {
                kill(s->pid, SIGKILL);
                waitpid(s->pid, NULL, 0);
                break;
            }
            struct timespec pause = {0, 10 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    free(s);
}
