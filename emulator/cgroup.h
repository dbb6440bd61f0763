/* cgroup: one execution environment's control groups (cgroup v1).
 *
 * For each environment it makes a memory group (limit = MemorySize, peak
 * from memory.max_usage_in_bytes, OOM kills counted in memory.oom_control),
 * a cpu group (CFS quota scaled to memory: one full vCPU at 1,769 MB, as
 * Lambda allocates CPU; during the init phase at least two vCPUs, as init
 * code on Lambda runs as fast as at 3,008 MB whatever the memory size) and
 * a freezer group (freeze between invocations).
 * Each controller is optional: whatever cannot be created (no v1 hierarchy,
 * not writable, turned off) is simply absent, and cgroup_has() says so; the
 * caller then falls back (SIGSTOP/SIGCONT, peak RSS from /proc).
 *
 * Ownership: cgroup_create returns a group the caller frees with
 * cgroup_destroy (accepts NULL), which removes the directories once the
 * processes in them are gone. Nothing here spawns or signals processes.
 */
#ifndef CGROUP_H
#define CGROUP_H

#include <stdint.h>
#include <sys/types.h>

typedef struct cgroup cgroup_t;

typedef enum cgroup_ctl {
    CGROUP_MEMORY = 1,
    CGROUP_CPU = 2,
    CGROUP_FREEZER = 4,
} cgroup_ctl_t;

typedef enum cgroup_err {
    CGROUP_OK = 0,
    CGROUP_ERR_NOMEM,
    CGROUP_ERR_IO, /* a control file could not be written or read */
} cgroup_err_t;

const char *cgroup_strerror(cgroup_err_t err);

/* The CFS period. Short, so a function at a fraction of a vCPU is slowed
 * down in small steps, as on Lambda (a warm Python boto3 call at 128 MB,
 * needing more than the 1.45 ms a period allows, takes about 20 ms), rather
 * than running at full speed until a long period's budget runs out and
 * then not at all. */
#define CGROUP_CPU_PERIOD_US 20000

/* The vCPU share Lambda gives a function of this size, in CFS quota per
 * period (µs): CGROUP_CPU_PERIOD_US * memory_mb / 1769, 1 ms at least. */
uint64_t cgroup_cpu_quota_us(unsigned memory_mb);
/* The share during the init phase: the larger of two vCPUs and the
 * function's own share. */
uint64_t cgroup_init_cpu_quota_us(unsigned memory_mb);

/* Makes <root>/<ctl>/<parent>/<name> for the wanted controllers (a mask of
 * cgroup_ctl_t) and sets the limits. Never fails for a missing controller:
 * it is left out. *out is set only on success. */
cgroup_err_t cgroup_create(const char *root, const char *parent, const char *name, unsigned want,
                           unsigned memory_mb, cgroup_t **out);
void cgroup_destroy(cgroup_t *cg);

/* Removes groups under <root>/<ctl>/<parent> named "<pid>-..." whose pid is
 * not a running process (left by an emulator that was killed), killing any
 * process still in them. */
void cgroup_sweep_stale(const char *root, const char *parent);

/* Mask of the controllers this group actually has. */
unsigned cgroup_has(const cgroup_t *cg);

/* Descriptors of the cgroup.procs files (O_CLOEXEC), -1 terminated, for a
 * child to write "0" into between fork and exec. Owned by the group. */
const int *cgroup_procs_fds(const cgroup_t *cg);

/* The init phase is over: from now on the memory-scaled CPU share. */
cgroup_err_t cgroup_end_init(cgroup_t *cg);

cgroup_err_t cgroup_freeze(cgroup_t *cg);
cgroup_err_t cgroup_thaw(cgroup_t *cg);
/* Peak memory of the group since it was made, in bytes. */
cgroup_err_t cgroup_peak_bytes(cgroup_t *cg, uint64_t *out);
/* Number of processes the kernel OOM killer killed in the group. */
cgroup_err_t cgroup_oom_kills(cgroup_t *cg, uint64_t *out);
/* SIGKILL to every process in the group (thaws it first so they die). */
void cgroup_kill_all(cgroup_t *cg);

#endif
