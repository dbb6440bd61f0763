/* procmem: the memory a process holds, as Linux reports it in
 * /proc/<pid>/status: VmRSS (resident now) and VmHWM (peak resident), in
 * KiB, plus the process's name, so a report can say which process it measured
 * (an interpreter behind a launcher script, say).
 *
 * Reads only; never signals or waits for the process. procmem_parse is the
 * pure half, fed the file's text.
 */
#ifndef BENCH_DDB_PROCMEM_H
#define BENCH_DDB_PROCMEM_H

#include <sys/types.h>

typedef enum procmem_err {
    PROCMEM_OK = 0,
    PROCMEM_ENOPROC, /* /proc/<pid>/status could not be read */
    PROCMEM_EFORMAT, /* VmRSS or VmHWM missing or malformed */
} procmem_err_t;

const char *procmem_strerror(procmem_err_t err);

typedef struct procmem {
    long rss_kb;   /* VmRSS */
    long hwm_kb;   /* VmHWM */
    char name[32]; /* Name:, empty when absent */
} procmem_t;

/* Parses the text of a status file. *out is set only on success. */
procmem_err_t procmem_parse(const char *text, procmem_t *out);
/* Reads /proc/<pid>/status. *out is set only on success. */
procmem_err_t procmem_read(pid_t pid, procmem_t *out);

#endif
