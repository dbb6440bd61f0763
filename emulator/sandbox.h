/* sandbox: the process tree of one execution environment.
 *
 * Spawns the runtime (its own process group, its cgroups joined before exec,
 * stdout and stderr on one non-blocking pipe, the environment the caller
 * built and nothing else), freezes and thaws it between invocations (cgroup
 * freezer, else SIGSTOP/SIGCONT to the group), reports its peak memory
 * (cgroup, else peak RSS of the tree from /proc), kills and reaps it.
 *
 * A sandbox knows nothing of HTTP, invocations or functions. It is not
 * thread-safe: the caller serializes calls on one sandbox.
 *
 * Ownership: sandbox_spawn copies what it needs from its arguments; the
 * returned sandbox is freed with sandbox_free (accepts NULL), which kills
 * the tree if it still runs and removes its cgroups.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct sandbox sandbox_t;

typedef enum sandbox_err {
    SANDBOX_OK = 0,
    SANDBOX_ERR_NOMEM,
    SANDBOX_ERR_SPAWN, /* pipe, fork or pidfd failed */
    SANDBOX_ERR_AGAIN, /* no log data right now */
    SANDBOX_ERR_GONE,  /* the process has exited */
} sandbox_err_t;

const char *sandbox_strerror(sandbox_err_t err);

typedef struct sandbox_config {
    char *const *argv;         /* argv[0] is the executable path */
    char *const *envp;         /* the complete environment of the runtime */
    const char *cwd;           /* LAMBDA_TASK_ROOT */
    unsigned memory_mb;        /* cgroup memory limit and cpu share */
    int use_cgroups;           /* try cgroups at all */
    int limit_cpu;             /* cpu quota scaled to memory */
    const char *cgroup_root;   /* e.g. /sys/fs/cgroup */
    const char *cgroup_parent; /* group under each controller, e.g. lambda-emulator */
    const char *cgroup_name;   /* this environment's group */
} sandbox_config_t;

/* Starts the runtime. *out is set only on success. */
sandbox_err_t sandbox_spawn(const sandbox_config_t *cfg, sandbox_t **out);

pid_t sandbox_pid(const sandbox_t *sb);
/* Readable when the runtime wrote to stdout/stderr (poll it). */
int sandbox_log_fd(const sandbox_t *sb);
/* Readable when the runtime's main process has exited (a pidfd). */
int sandbox_exit_fd(const sandbox_t *sb);
/* Controllers in use: a cgroup_ctl_t mask (0 without cgroups). */
unsigned sandbox_cgroups(const sandbox_t *sb);

/* Reads what the runtime wrote; SANDBOX_ERR_AGAIN when nothing is pending,
 * SANDBOX_ERR_GONE at end of file. *got is set only on SANDBOX_OK. */
sandbox_err_t sandbox_read_log(sandbox_t *sb, char *buf, size_t cap, size_t *got);

/* The runtime finished its init phase: CPU drops to the memory-scaled share. */
void sandbox_end_init(sandbox_t *sb);
void sandbox_freeze(sandbox_t *sb);
void sandbox_thaw(sandbox_t *sb);
/* Peak memory of the environment so far, in bytes. */
uint64_t sandbox_peak_bytes(sandbox_t *sb);
/* SIGKILL to the whole tree; idempotent. */
void sandbox_kill(sandbox_t *sb);

/* Reaps the main process if it has exited: 1 and the wait status in
 * *status, else 0. Never blocks. */
int sandbox_reap(sandbox_t *sb, int *status);
/* Whether the kernel OOM killer killed a process of the environment. */
int sandbox_oom_killed(sandbox_t *sb);

/* How a wait status reads in Lambda's "Runtime exited with error: ..."
 * message (Go's wording): "exit status 1", "signal: killed", ... */
void sandbox_describe_exit(int status, char *buf, size_t cap);

void sandbox_free(sandbox_t *sb);

#endif
