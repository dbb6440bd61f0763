/* scheduler: invocations onto execution environments.
 *
 * Owns every execution environment: picks a warm one (idle, or one that has
 * just answered and is about to ask for the next event), else starts one
 * (cold start) while fewer than max_concurrency are busy, else answers 429
 * TooManyRequestsException (RequestResponse) or queues the invocation
 * (Event). It runs each environment's Runtime API state machine, freezes an
 * environment while it has no invocation, enforces the function timeout and
 * the 10 s init limit, reclaims idle environments, turns crashes and OOM
 * kills into Lambda's errors, writes START/END/REPORT, and answers the
 * caller's suspended request (with X-Amz-Log-Result when asked).
 *
 * Threads: the server thread that answers the Invoke API and every Runtime
 * API, and one supervisor thread per environment (exit, logs, timers, and
 * accepting its runtime's connections); all state is under one lock.
 *
 * Ownership: sched_invoke takes the invocation's payload and configuration
 * reference, also on failure. A RequestResponse caller's request is answered
 * by the scheduler, except on SCHED_ERR_THROTTLED / SCHED_ERR_STOPPING,
 * where the caller answers it.
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include "functions.h"
#include "httpd.h"

#include <stddef.h>
#include <stdint.h>

typedef struct sched sched_t;

typedef enum sched_err {
    SCHED_OK = 0,
    SCHED_ERR_NOMEM,
    SCHED_ERR_THROTTLED, /* concurrency limit reached */
    SCHED_ERR_STOPPING,  /* shutting down */
} sched_err_t;

const char *sched_strerror(sched_err_t err);

typedef struct sched_config {
    unsigned max_concurrency; /* busy environments at most */
    unsigned idle_timeout_ms; /* idle environments die after this */
    unsigned init_timeout_ms; /* spawn -> first /next, Lambda's 10 s */
    int use_cgroups;          /* memory limit/peak, freezer, cpu */
    int limit_cpu;            /* cpu quota scaled to memory */
    int freeze;               /* freeze idle environments */
    const char *cgroup_root;  /* /sys/fs/cgroup */
    const char *rapi_host;    /* Runtime API ports bind here */
    const char *region;
    int log_fd; /* function logs and START/END/REPORT; -1: none */
    /* Event invocations that end in a function error run again, with the
     * same request id, up to event_retries more times (Lambda's
     * MaximumRetryAttempts, 2 by default), retry_delay_ms[k] after the
     * (k+1)th attempt ended (Lambda waits 1 and 2 minutes). */
    unsigned event_retries;
    unsigned retry_delay_ms[2];
} sched_config_t;

typedef enum sched_invoke_type {
    SCHED_REQUEST_RESPONSE,
    SCHED_EVENT,
} sched_invoke_type_t;

typedef struct sched_invoke {
    fn_config_t *cfg; /* reference taken */
    sched_invoke_type_t type;
    httpd_req_t *client; /* RequestResponse: answered by the scheduler */
    char *payload;       /* malloc'd, taken */
    size_t len;
    const char *client_context; /* decoded JSON or NULL; copied */
    const char *qualifier;      /* as the caller named it ("" or NULL: none) */
    int log_tail;               /* X-Amz-Log-Type: Tail */
    char request_id[40];        /* out: the invocation's id */
} sched_invoke_t;

/* cfg's strings must outlive the scheduler. *out is set only on success. */
sched_err_t sched_new(const sched_config_t *cfg, sched_t **out);
/* The server that answers the Runtime API of every environment (the Invoke
 * API's): environments hand it their runtime's connections. Set before the
 * first invoke; borrowed. */
void sched_attach_server(sched_t *s, httpd_t *srv);
/* Answers a Runtime API request, found by the port it came in on. */
void sched_runtime_request(sched_t *s, httpd_req_t *req);
/* Runs or queues an invocation. */
sched_err_t sched_invoke(sched_t *s, sched_invoke_t *inv);
/* Kills idle environments of retired snapshots of this function now; busy
 * ones die when their invocation ends. Matches fn_retire_fn. */
void sched_retire(void *s, const char *name);
/* Kills every environment, answers every waiting caller, waits for the
 * supervisors to finish. New invocations get SCHED_ERR_STOPPING. */
void sched_shutdown(sched_t *s);
/* After sched_shutdown. Accepts NULL. */
void sched_free(sched_t *s);

/* Counters for tests and the bench. */
typedef struct sched_stats {
    unsigned envs, busy, idle;
    unsigned long cold_starts, invocations, throttles;
} sched_stats_t;
void sched_stats(sched_t *s, sched_stats_t *out);

#endif
