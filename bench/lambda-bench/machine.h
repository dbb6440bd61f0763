/* machine: the name of the machine a run was measured on, for the report
 * (host, OS, kernel, CPU model, CPU count, memory). Reads /proc and uname;
 * a figure it cannot read is left empty or 0. Never allocates.
 */
#ifndef LAMBDA_BENCH_MACHINE_H
#define LAMBDA_BENCH_MACHINE_H

typedef struct machine {
    char hostname[128];
    char os[128];     /* PRETTY_NAME of /etc/os-release */
    char kernel[128]; /* uname -sr */
    char arch[32];
    char cpu_model[128];
    int cpus;
    long memory_mb;
} machine_t;

void machine_describe(machine_t *m);

#endif
