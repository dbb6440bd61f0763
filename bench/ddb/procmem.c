/* procmem: VmRSS / VmHWM from /proc/<pid>/status. */
#include "procmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *procmem_strerror(procmem_err_t err)
{
    switch (err) {
    case PROCMEM_OK: return "ok";
    case PROCMEM_ENOPROC: return "cannot read /proc/<pid>/status (process gone?)";
    case PROCMEM_EFORMAT: return "VmRSS or VmHWM missing from /proc/<pid>/status";
    }
    return "unknown procmem error";
}

/* The value of "<key>:\t  1234 kB" at the start of a line, in KiB; -1 when
 * absent or malformed. */
static long field_kb(const char *text, const char *key)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, klen) != 0 || line[klen] != ':') continue;
        char *end = NULL;
        long v = strtol(line + klen + 1, &end, 10);
        if (end == line + klen + 1 || v < 0) return -1;
        while (*end == ' ' || *end == '\t') end++;
        if (strncmp(end, "kB", 2) != 0) return -1;
        return v;
    }
    return -1;
}

procmem_err_t procmem_parse(const char *text, procmem_t *out)
{
    procmem_t m = {0};
    m.rss_kb = field_kb(text, "VmRSS");
    m.hwm_kb = field_kb(text, "VmHWM");
    if (m.rss_kb < 0 || m.hwm_kb < 0) return PROCMEM_EFORMAT;
    if (strncmp(text, "Name:", 5) == 0) {
        const char *p = text + 5;
        while (*p == ' ' || *p == '\t') p++;
        size_t n = strcspn(p, "\n");
        if (n >= sizeof m.name) n = sizeof m.name - 1;
        memcpy(m.name, p, n);
        m.name[n] = '\0';
    }
    *out = m;
    return PROCMEM_OK;
}

procmem_err_t procmem_read(pid_t pid, procmem_t *out)
{
    char path[64], text[8192];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f) return PROCMEM_ENOPROC;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    if (n == 0) return PROCMEM_ENOPROC;
    text[n] = '\0';
    return procmem_parse(text, out);
}
