/* cgroup: v1 memory, cpu and freezer groups for one environment. */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CG_PATH_MAX 512

struct cgroup {
    unsigned has;
    char mem[CG_PATH_MAX], cpu[CG_PATH_MAX], frz[CG_PATH_MAX];
    int procs[4];      /* -1 terminated */
    int peak_fd;       /* memory.max_usage_in_bytes, kept open for pread */
    int freezer_fd;    /* freezer.state, kept open */
    int quota_fd;      /* cpu.cfs_quota_us, kept open until the init phase ends */
    uint64_t quota_us; /* the memory-scaled share, from the end of init */
};

const char *cgroup_strerror(cgroup_err_t err)
{
    switch (err) {
    case CGROUP_OK: return "ok";
    case CGROUP_ERR_NOMEM: return "out of memory";
    case CGROUP_ERR_IO: return "cgroup control file not accessible";
    }
    return "unknown error";
}

uint64_t cgroup_cpu_quota_us(unsigned memory_mb)
{
    uint64_t q = (uint64_t)CGROUP_CPU_PERIOD_US * memory_mb / 1769;
    return q < 1000 ? 1000 : q; /* CFS refuses quotas below 1 ms */
}

uint64_t cgroup_init_cpu_quota_us(unsigned memory_mb)
{
    uint64_t q = cgroup_cpu_quota_us(memory_mb);
    return q < 2 * CGROUP_CPU_PERIOD_US ? 2 * CGROUP_CPU_PERIOD_US : q;
}

static int write_file(const char *dir, const char *file, const char *value)
{
    char path[CG_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, value, strlen(value));
    close(fd);
    return n == (ssize_t)strlen(value) ? 0 : -1;
}

static int make_dir(char *out, const char *root, const char *ctl, const char *parent,
                    const char *name)
{
    char base[CG_PATH_MAX];
    snprintf(base, sizeof base, "%s/%s", root, ctl);
    if (access(base, W_OK) != 0) return -1;
    snprintf(base, sizeof base, "%s/%s/%s", root, ctl, parent);
    if (mkdir(base, 0755) != 0 && errno != EEXIST) return -1;
    int n = snprintf(out, CG_PATH_MAX, "%s/%s", base, name);
    if (n < 0 || n >= CG_PATH_MAX) return -1;
    if (mkdir(out, 0755) != 0 && errno != EEXIST) return -1;
    return 0;
}

cgroup_err_t cgroup_create(const char *root, const char *parent, const char *name, unsigned want,
                           unsigned memory_mb, cgroup_t **out)
{
    cgroup_t *cg = calloc(1, sizeof *cg);
    if (!cg) return CGROUP_ERR_NOMEM;
    cg->peak_fd = cg->freezer_fd = cg->quota_fd = -1;
    int np = 0;
    char val[32];

    if ((want & CGROUP_MEMORY) && make_dir(cg->mem, root, "memory", parent, name) == 0) {
        snprintf(val, sizeof val, "%llu", (unsigned long long)memory_mb * 1024 * 1024);
        if (write_file(cg->mem, "memory.limit_in_bytes", val) == 0) {
            /* No swapping past the limit, where swap accounting exists. */
            write_file(cg->mem, "memory.memsw.limit_in_bytes", val);
            write_file(cg->mem, "memory.swappiness", "0");
            char path[CG_PATH_MAX + 64];
            snprintf(path, sizeof path, "%s/memory.max_usage_in_bytes", cg->mem);
            cg->peak_fd = open(path, O_RDONLY | O_CLOEXEC);
            snprintf(path, sizeof path, "%s/cgroup.procs", cg->mem);
            int fd = open(path, O_WRONLY | O_CLOEXEC);
            if (cg->peak_fd >= 0 && fd >= 0) {
                cg->procs[np++] = fd;
                cg->has |= CGROUP_MEMORY;
            } else {
                if (fd >= 0) close(fd);
                if (cg->peak_fd >= 0) close(cg->peak_fd);
                cg->peak_fd = -1;
            }
        }
        if (!(cg->has & CGROUP_MEMORY)) rmdir(cg->mem);
    }
    if ((want & CGROUP_CPU) && make_dir(cg->cpu, root, "cpu", parent, name) == 0) {
        cg->quota_us = cgroup_cpu_quota_us(memory_mb);
        char period[16];
        snprintf(period, sizeof period, "%d", CGROUP_CPU_PERIOD_US);
        snprintf(val, sizeof val, "%llu", (unsigned long long)cgroup_init_cpu_quota_us(memory_mb));
        char path[CG_PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", cg->cpu);
        cg->quota_fd = open(path, O_WRONLY | O_CLOEXEC);
        snprintf(path, sizeof path, "%s/cgroup.procs", cg->cpu);
        int fd = -1;
        if (cg->quota_fd >= 0 && write_file(cg->cpu, "cpu.cfs_period_us", period) == 0 &&
            pwrite(cg->quota_fd, val, strlen(val), 0) == (ssize_t)strlen(val) &&
            (fd = open(path, O_WRONLY | O_CLOEXEC)) >= 0) {
            cg->procs[np++] = fd;
            cg->has |= CGROUP_CPU;
        } else {
            if (cg->quota_fd >= 0) close(cg->quota_fd);
            cg->quota_fd = -1;
            rmdir(cg->cpu);
        }
    }
    if ((want & CGROUP_FREEZER) && make_dir(cg->frz, root, "freezer", parent, name) == 0) {
        char path[CG_PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/freezer.state", cg->frz);
        cg->freezer_fd = open(path, O_RDWR | O_CLOEXEC);
        snprintf(path, sizeof path, "%s/cgroup.procs", cg->frz);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (cg->freezer_fd >= 0 && fd >= 0) {
            cg->procs[np++] = fd;
            cg->has |= CGROUP_FREEZER;
        } else {
            if (fd >= 0) close(fd);
            if (cg->freezer_fd >= 0) close(cg->freezer_fd);
            cg->freezer_fd = -1;
            rmdir(cg->frz);
        }
    }
    cg->procs[np] = -1;
    *out = cg;
    return CGROUP_OK;
}

unsigned cgroup_has(const cgroup_t *cg) { return cg ? cg->has : 0; }
const int *cgroup_procs_fds(const cgroup_t *cg) { return cg->procs; }

static cgroup_err_t freezer_set(cgroup_t *cg, const char *state)
{
    if (!(cg->has & CGROUP_FREEZER)) return CGROUP_ERR_IO;
    size_t n = strlen(state);
    return pwrite(cg->freezer_fd, state, n, 0) == (ssize_t)n ? CGROUP_OK : CGROUP_ERR_IO;
}

cgroup_err_t cgroup_end_init(cgroup_t *cg)
{
    if (!cg || cg->quota_fd < 0) return CGROUP_ERR_IO;
    char val[32];
    int n = snprintf(val, sizeof val, "%llu", (unsigned long long)cg->quota_us);
    cgroup_err_t err = pwrite(cg->quota_fd, val, (size_t)n, 0) == n ? CGROUP_OK : CGROUP_ERR_IO;
    close(cg->quota_fd);
    cg->quota_fd = -1;
    return err;
}

cgroup_err_t cgroup_freeze(cgroup_t *cg) { return freezer_set(cg, "FROZEN"); }
cgroup_err_t cgroup_thaw(cgroup_t *cg) { return freezer_set(cg, "THAWED"); }

cgroup_err_t cgroup_peak_bytes(cgroup_t *cg, uint64_t *out)
{
    if (!(cg->has & CGROUP_MEMORY)) return CGROUP_ERR_IO;
    char buf[32];
    ssize_t n = pread(cg->peak_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return CGROUP_ERR_IO;
    buf[n] = '\0';
    *out = strtoull(buf, NULL, 10);
    return CGROUP_OK;
}

cgroup_err_t cgroup_oom_kills(cgroup_t *cg, uint64_t *out)
{
    if (!(cg->has & CGROUP_MEMORY)) return CGROUP_ERR_IO;
    char path[CG_PATH_MAX + 64], buf[256];
    snprintf(path, sizeof path, "%s/memory.oom_control", cg->mem);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return CGROUP_ERR_IO;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return CGROUP_ERR_IO;
    buf[n] = '\0';
    const char *p = strstr(buf, "oom_kill ");
    uint64_t kills = p ? strtoull(p + 9, NULL, 10) : 0;
    /* Older kernels lack oom_kill; a hit limit with failures is the sign. */
    if (!p) {
        snprintf(path, sizeof path, "%s/memory.failcnt", cg->mem);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            n = read(fd, buf, sizeof buf - 1);
            close(fd);
            if (n > 0) {
                buf[n] = '\0';
                kills = strtoull(buf, NULL, 10) ? 1 : 0;
            }
        }
    }
    *out = kills;
    return CGROUP_OK;
}

static void kill_listed(const char *dir)
{
    char path[CG_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/cgroup.procs", dir);
    FILE *f = fopen(path, "re");
    if (!f) return;
    long pid;
    while (fscanf(f, "%ld", &pid) == 1)
        if (pid > 0) kill((pid_t)pid, SIGKILL);
    fclose(f);
}

void cgroup_kill_all(cgroup_t *cg)
{
    if (!cg) return;
    const char *dir = (cg->has & CGROUP_FREEZER)  ? cg->frz
                      : (cg->has & CGROUP_MEMORY) ? cg->mem
                      : (cg->has & CGROUP_CPU)    ? cg->cpu
                                                  : NULL;
    if (!dir) return;
    kill_listed(dir);
    /* A frozen task only dies once thawed. */
    if (cg->has & CGROUP_FREEZER) cgroup_thaw(cg);
}

void cgroup_destroy(cgroup_t *cg)
{
    if (!cg) return;
    for (int i = 0; cg->procs[i] >= 0; i++) close(cg->procs[i]);
    if (cg->peak_fd >= 0) close(cg->peak_fd);
    if (cg->freezer_fd >= 0) close(cg->freezer_fd);
    if (cg->quota_fd >= 0) close(cg->quota_fd);
    /* rmdir fails while a process is still in the group (EBUSY): retry
     * briefly, the kernel finishes removing a killed task asynchronously. */
    const char *dirs[] = {cg->has & CGROUP_MEMORY ? cg->mem : NULL,
                          cg->has & CGROUP_CPU ? cg->cpu : NULL,
                          cg->has & CGROUP_FREEZER ? cg->frz : NULL};
    for (int d = 0; d < 3; d++) {
        if (!dirs[d]) continue;
        for (int tries = 0; tries < 200 && rmdir(dirs[d]) != 0 && errno == EBUSY; tries++)
            usleep(1000);
    }
    free(cg);
}

void cgroup_sweep_stale(const char *root, const char *parent)
{
    static const char *ctls[] = {"memory", "cpu", "freezer"};
    for (size_t i = 0; i < sizeof ctls / sizeof ctls[0]; i++) {
        char dir[CG_PATH_MAX];
        snprintf(dir, sizeof dir, "%s/%s/%s", root, ctls[i], parent);
        DIR *d = opendir(dir);
        if (!d) continue;
        struct dirent *de;
        while ((de = readdir(d))) {
            char *end;
            long pid = strtol(de->d_name, &end, 10);
            if (end == de->d_name || *end != '-' || pid <= 0) continue;
            if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
            char path[CG_PATH_MAX + 256];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            kill_listed(path);
            if (strcmp(ctls[i], "freezer") == 0) write_file(path, "freezer.state", "THAWED");
            for (int tries = 0; tries < 100 && rmdir(path) != 0 && errno == EBUSY; tries++)
                usleep(1000);
        }
        closedir(d);
    }
}
