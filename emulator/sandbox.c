/* sandbox: spawn, freeze, measure, kill and reap one runtime process tree. */
#define _GNU_SOURCE
#include "sandbox.h"

#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct sandbox {
    pid_t pid;
    int pidfd;
    int log_fd;
    cgroup_t *cg;
    int frozen;
    int killed;
    int reaped;
    uint64_t peak_rss; /* fallback peak, in bytes */
};

const char *sandbox_strerror(sandbox_err_t err)
{
    switch (err) {
    case SANDBOX_OK: return "ok";
    case SANDBOX_ERR_NOMEM: return "out of memory";
    case SANDBOX_ERR_SPAWN: return "cannot start the runtime process";
    case SANDBOX_ERR_AGAIN: return "no data";
    case SANDBOX_ERR_GONE: return "process gone";
    }
    return "unknown error";
}

/* Runs in a vfork child: it shares the parent's memory until execve, so it
 * only makes system calls and writes to its own stack. */
static void __attribute__((noreturn))
child_exec(const sandbox_config_t *cfg, const int *procs, int log_w)
{
    setpgid(0, 0);
    for (int i = 0; procs && procs[i] >= 0; i++)
        if (write(procs[i], "0", 1) < 0) { /* best effort: limits are optional */
        }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(log_w, 1);
    dup2(log_w, 2);
    if (cfg->cwd && chdir(cfg->cwd) != 0) {
        static const char msg[] = "sandbox: cannot enter the task root\n";
        if (write(2, msg, sizeof msg - 1) < 0) _exit(127);
        _exit(127);
    }
    signal(SIGPIPE, SIG_DFL); /* an ignored signal stays ignored across exec */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(cfg->argv[0], cfg->argv, cfg->envp);
    char msg[] = "sandbox: cannot execute the runtime (errno    )\n";
    int e = errno, at = (int)sizeof msg - 4; /* digits right-aligned before ')' */
    do msg[at--] = (char)('0' + e % 10);
    while ((e /= 10) && at > 0);
    if (write(2, msg, sizeof msg - 1) < 0) _exit(127);
    _exit(127);
}

/* vfork: no copy of the emulator's page tables on the cold-start path. Kept
 * apart so no local of the caller lives across it. */
static pid_t start_child(const sandbox_config_t *cfg, const int *procs, int log_w)
{
    pid_t pid = vfork();
    if (pid == 0) child_exec(cfg, procs, log_w);
    return pid;
}

sandbox_err_t sandbox_spawn(const sandbox_config_t *cfg, sandbox_t **out)
{
    sandbox_err_t err = SANDBOX_ERR_SPAWN;
    int pipefd[2] = {-1, -1};
    sandbox_t *sb = calloc(1, sizeof *sb);
    if (!sb) return SANDBOX_ERR_NOMEM;
    sb->pidfd = sb->log_fd = -1;

    if (cfg->use_cgroups) {
        unsigned want = CGROUP_MEMORY | CGROUP_FREEZER | (cfg->limit_cpu ? CGROUP_CPU : 0);
        if (cgroup_create(cfg->cgroup_root, cfg->cgroup_parent, cfg->cgroup_name, want,
                          cfg->memory_mb, &sb->cg) != CGROUP_OK) {
            err = SANDBOX_ERR_NOMEM;
            goto fail;
        }
    }
    if (pipe2(pipefd, O_CLOEXEC) != 0) goto fail;
    const int *procs = sb->cg ? cgroup_procs_fds(sb->cg) : NULL;
    pid_t pid = start_child(cfg, procs, pipefd[1]);
    if (pid < 0) goto fail;
    sb->pid = pid;
    setpgid(pid, pid); /* also here, so the group exists before we signal it */
    close(pipefd[1]);
    pipefd[1] = -1;
    sb->log_fd = pipefd[0];
    pipefd[0] = -1;
    fcntl(sb->log_fd, F_SETFL, fcntl(sb->log_fd, F_GETFL) | O_NONBLOCK);
    sb->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (sb->pidfd < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        sb->reaped = 1;
        goto fail;
    }
    *out = sb;
    return SANDBOX_OK;

fail:
    if (pipefd[0] >= 0) close(pipefd[0]);
    if (pipefd[1] >= 0) close(pipefd[1]);
    sandbox_free(sb);
    return err;
}

pid_t sandbox_pid(const sandbox_t *sb) { return sb->pid; }
int sandbox_log_fd(const sandbox_t *sb) { return sb->log_fd; }
int sandbox_exit_fd(const sandbox_t *sb) { return sb->pidfd; }
unsigned sandbox_cgroups(const sandbox_t *sb) { return cgroup_has(sb->cg); }

sandbox_err_t sandbox_read_log(sandbox_t *sb, char *buf, size_t cap, size_t *got)
{
    if (sb->log_fd < 0) return SANDBOX_ERR_GONE;
    ssize_t n;
    do n = read(sb->log_fd, buf, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EAGAIN ? SANDBOX_ERR_AGAIN : SANDBOX_ERR_GONE;
    if (n == 0) return SANDBOX_ERR_GONE;
    *got = (size_t)n;
    return SANDBOX_OK;
}

void sandbox_end_init(sandbox_t *sb)
{
    if (cgroup_has(sb->cg) & CGROUP_CPU) cgroup_end_init(sb->cg);
}

void sandbox_freeze(sandbox_t *sb)
{
    if (sb->frozen || sb->killed) return;
    if (cgroup_has(sb->cg) & CGROUP_FREEZER) {
        if (cgroup_freeze(sb->cg) == CGROUP_OK) sb->frozen = 1;
        return;
    }
    if (kill(-sb->pid, SIGSTOP) == 0) sb->frozen = 1;
}

void sandbox_thaw(sandbox_t *sb)
{
    if (!sb->frozen) return;
    sb->frozen = 0;
    if (cgroup_has(sb->cg) & CGROUP_FREEZER)
        cgroup_thaw(sb->cg);
    else
        kill(-sb->pid, SIGCONT);
}

/* VmHWM of one process, in bytes (0 when unreadable). */
static uint64_t proc_hwm(long pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    const char *p = strstr(buf, "VmHWM:");
    return p ? strtoull(p + 6, NULL, 10) * 1024 : 0;
}

/* Peak RSS of the main process plus its direct children (the fallback). */
static uint64_t tree_hwm(pid_t pid)
{
    uint64_t total = proc_hwm(pid);
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)pid, (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return total;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return total;
    buf[n] = '\0';
    for (char *p = buf, *end; *p; p = end) {
        long child = strtol(p, &end, 10);
        if (end == p) break;
        total += proc_hwm(child);
    }
    return total;
}

uint64_t sandbox_peak_bytes(sandbox_t *sb)
{
    uint64_t peak = 0;
    if (sb->cg && cgroup_peak_bytes(sb->cg, &peak) == CGROUP_OK) return peak;
    if (!sb->reaped) {
        uint64_t now = tree_hwm(sb->pid);
        if (now > sb->peak_rss) sb->peak_rss = now;
    }
    return sb->peak_rss;
}

void sandbox_kill(sandbox_t *sb)
{
    if (sb->reaped) return;
    sb->killed = 1;
    kill(-sb->pid, SIGKILL);
    kill(sb->pid, SIGKILL);
    cgroup_kill_all(sb->cg); /* also thaws a frozen group */
    sb->frozen = 0;
}

int sandbox_reap(sandbox_t *sb, int *status)
{
    if (sb->reaped) return 0;
    int st = 0;
    pid_t r = waitpid(sb->pid, &st, WNOHANG);
    if (r != sb->pid) return 0;
    sb->reaped = 1;
    /* The rest of the tree goes with its main process, as on Lambda. */
    kill(-sb->pid, SIGKILL);
    cgroup_kill_all(sb->cg);
    *status = st;
    return 1;
}

int sandbox_oom_killed(sandbox_t *sb)
{
    uint64_t kills = 0;
    return sb->cg && cgroup_oom_kills(sb->cg, &kills) == CGROUP_OK && kills > 0;
}

void sandbox_describe_exit(int status, char *buf, size_t cap)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {{SIGHUP, "hangup"},
                 {SIGINT, "interrupt"},
                 {SIGQUIT, "quit"},
                 {SIGILL, "illegal instruction"},
                 {SIGTRAP, "trace/breakpoint trap"},
                 {SIGABRT, "aborted"},
                 {SIGBUS, "bus error"},
                 {SIGFPE, "floating point exception"},
                 {SIGKILL, "killed"},
                 {SIGSEGV, "segmentation fault"},
                 {SIGPIPE, "broken pipe"},
                 {SIGALRM, "alarm clock"},
                 {SIGTERM, "terminated"}};
    if (WIFEXITED(status)) {
        snprintf(buf, cap, "exit status %d", WEXITSTATUS(status));
        return;
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (names[i].sig == sig) {
                snprintf(buf, cap, "signal: %s", names[i].name);
                return;
            }
        }
        snprintf(buf, cap, "signal: %d", sig);
        return;
    }
    snprintf(buf, cap, "unknown status %d", status);
}

void sandbox_free(sandbox_t *sb)
{
    if (!sb) return;
    if (sb->pid > 0 && !sb->reaped) {
        sandbox_kill(sb);
        waitpid(sb->pid, NULL, 0);
        sb->reaped = 1;
    }
    if (sb->pidfd >= 0) close(sb->pidfd);
    if (sb->log_fd >= 0) close(sb->log_fd);
    cgroup_destroy(sb->cg);
    free(sb);
}
