/* machine: see machine.h. */
#include "machine.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The value after "key" and a separator in the first matching line of path. */
static void read_key(const char *path, const char *key, char sep, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    char line[512];
    if (!f) return;
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0) continue;
        char *v = strchr(line + klen, sep);
        if (!v) continue;
        v++;
        while (*v == ' ' || *v == '\t' || *v == '"') v++;
        size_t len = strcspn(v, "\"\n");
        snprintf(out, n, "%.*s", (int)len, v);
        break;
    }
    fclose(f);
}

void machine_describe(machine_t *m)
{
    memset(m, 0, sizeof *m);
    gethostname(m->hostname, sizeof m->hostname - 1);
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(m->kernel, sizeof m->kernel, "%.60s %.60s", u.sysname, u.release);
        snprintf(m->arch, sizeof m->arch, "%.31s", u.machine);
    }
    read_key("/etc/os-release", "PRETTY_NAME", '=', m->os, sizeof m->os);
    read_key("/proc/cpuinfo", "model name", ':', m->cpu_model, sizeof m->cpu_model);
    char mem[64] = "";
    read_key("/proc/meminfo", "MemTotal", ':', mem, sizeof mem);
    long kb = 0;
    if (sscanf(mem, "%ld", &kb) == 1) m->memory_mb = kb / 1024;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    m->cpus = n > 0 ? (int)n : 0;
}
