/* server: one server process under test, started by the benchmark so that
 * its start-up (fork to first HTTP answer) is timed on the client's clock and
 * its pid is known for reading its memory.
 *
 * The child gets PR_SET_PDEATHSIG(SIGTERM), so it never outlives the
 * benchmark, even when the benchmark is killed. Its stdout and stderr go to
 * a log file the caller names (or /dev/null). server_stop stops and reaps it
 * and frees the handle; it accepts NULL.
 */
#ifndef BENCH_DDB_SERVER_H
#define BENCH_DDB_SERVER_H

#include <sys/types.h>

typedef enum server_err {
    SERVER_OK = 0,
    SERVER_ENOMEM,
    SERVER_ESPAWN,   /* fork, exec or the log file failed (see errno in detail) */
    SERVER_EEXITED,  /* the server exited before answering */
    SERVER_ETIMEOUT, /* no answer within the time allowed */
} server_err_t;

const char *server_strerror(server_err_t err);

typedef struct server server_t;

/* Starts argv (argv[0] looked up in PATH), with every "{port}" in the
 * arguments replaced by port. log may be NULL. *out is set only on success. */
server_err_t server_start(char *const argv[], unsigned port, const char *log, server_t **out);

/* Polls GET / on base_url until the server answers anything HTTP; *ms is the
 * time from just before the fork to that answer, set only on success. */
server_err_t server_wait_ready(server_t *s, const char *base_url, double timeout_s, double *ms);

pid_t server_pid(const server_t *s);
/* A line about the last failure: exec's errno, the exit status. */
const char *server_detail(const server_t *s);

/* SIGTERM, up to 5 s for it to exit, then SIGKILL; reaps and frees. */
void server_stop(server_t *s);

#endif
