/* scheduler: environments, invocations and the Runtime API state machine. */
#define _GNU_SOURCE
#include "scheduler.h"

#include "cgroup.h"
#include "report.h"
#include "runtime_api.h"
#include "sandbox.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define OUT_MAX ((size_t)1 << 20) /* log bytes held for one write-out */

typedef enum env_state {
    ENV_INIT,      /* spawned, no /next yet */
    ENV_BUSY,      /* has an invocation */
    ENV_FINISHING, /* answered; waiting for the runtime's next /next */
    ENV_IDLE,      /* /next suspended, frozen */
    ENV_DEAD,      /* process gone or going */
} env_state_t;

typedef enum kill_reason {
    KILL_NONE,
    KILL_TIMEOUT,
    KILL_INIT_TIMEOUT,
    KILL_INIT_ERROR,
    KILL_RETIRED,
    KILL_IDLE,
    KILL_SHUTDOWN,
    KILL_BROKEN,
} kill_reason_t;

typedef struct invocation {
    char id[40];
    fn_config_t *cfg;
    httpd_req_t *client;
    char *payload;
    size_t len;
    char *client_context;
    char *invoked_arn; /* the function ARN, with the caller's qualifier */
    int tail;
    uint64_t t_sent;      /* monotonic ns the runtime got it */
    uint64_t deadline_ns; /* monotonic */
    int event;            /* an Event invocation: retried after errors */
    unsigned attempt;     /* 0 for the first run */
    uint64_t due_ns;      /* a retry waiting: when it runs (monotonic) */
    struct invocation *next;
} invocation_t;

typedef struct env {
    sched_t *s;
    unsigned long id;
    fn_config_t *cfg;
    sandbox_t *sb;
    int listen_fd; /* this environment's Runtime API port */
    uint16_t port;
    env_state_t state;
    kill_reason_t kill_reason;
    httpd_req_t *next_req;
    invocation_t *inv; /* current; in INIT: waiting for the first /next */
    int inv_sent;
    invocation_t *pending; /* queued behind a FINISHING environment */
    int cold;
    uint64_t t_spawn, init_ns, idle_since;
    int timer_fd;
    pthread_t thread;
    report_tail_t tail; /* log since the previous invocation ended */
    struct env *next;
} env_t;

struct sched {
    sched_config_t cfg;
    pthread_mutex_t lock;
    pthread_cond_t gone; /* signalled when a supervisor exits */
    env_t *envs;
    invocation_t *queue, *queue_tail; /* Event invocations waiting */
    invocation_t *retries;            /* Event retries waiting, by due_ns */
    pthread_cond_t retry_cv;          /* a retry was added, or stopping */
    pthread_t retry_thread;
    int retry_thread_started;
    unsigned nthreads;
    int stopping;
    unsigned long env_seq;
    unsigned long cold_starts, invocations, throttles;
    pthread_mutex_t out_lock; /* one writer at a time on log_fd */
    cgroup_t *anchor;         /* an empty group kept frozen: see sched_new */
    httpd_t *srv;             /* answers every Runtime API: sched_attach_server */
};

/* Log bytes gathered under the scheduler lock and written after it. */
typedef struct outbuf {
    char *data;
    size_t len, cap;
} outbuf_t;

static void out_add(outbuf_t *ob, const char *p, size_t n)
{
    if (ob->len + n > OUT_MAX) return; /* a flood: drop rather than stall */
    if (ob->len + n > ob->cap) {
        size_t cap = ob->cap ? ob->cap * 2 : 1024;
        while (cap < ob->len + n) cap *= 2;
        char *d = realloc(ob->data, cap);
        if (!d) return;
        ob->data = d;
        ob->cap = cap;
    }
    memcpy(ob->data + ob->len, p, n);
    ob->len += n;
}

/* Drops the scheduler lock and writes ob. The output lock is taken before
 * the scheduler lock is released, so lines reach the log in the order they
 * were produced (END/REPORT never overtake the function's own output). */
static void unlock_and_flush(sched_t *s, outbuf_t *ob)
{
    if (ob->len && s->cfg.log_fd >= 0) {
        pthread_mutex_lock(&s->out_lock);
        pthread_mutex_unlock(&s->lock);
        for (size_t off = 0; off < ob->len;) {
            ssize_t n = write(s->cfg.log_fd, ob->data + off, ob->len - off);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            off += (size_t)n;
        }
        pthread_mutex_unlock(&s->out_lock);
    } else {
        pthread_mutex_unlock(&s->lock);
    }
    free(ob->data);
    ob->data = NULL;
    ob->len = ob->cap = 0;
}

const char *sched_strerror(sched_err_t err)
{
    switch (err) {
    case SCHED_OK: return "ok";
    case SCHED_ERR_NOMEM: return "out of memory";
    case SCHED_ERR_THROTTLED: return "concurrency limit reached";
    case SCHED_ERR_STOPPING: return "shutting down";
    }
    return "unknown error";
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Request and trace ids need uniqueness, not secrecy: a per-thread
 * xorshift seeded once from getrandom keeps syscalls off the invoke path. */
static uint64_t next_random(void)
{
    static __thread uint64_t state;
    if (!state) {
        if (getrandom(&state, sizeof state, 0) != sizeof state) state = mono_ns();
        state |= 1;
    }
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static void random_hex(char *out, size_t nbytes)
{
    static const char digits[] = "0123456789abcdef";
    uint64_t r = 0;
    for (size_t i = 0; i < nbytes; i++) {
        if (i % 8 == 0) r = next_random();
        out[2 * i] = digits[(r >> 4) & 15];
        out[2 * i + 1] = digits[r & 15];
        r >>= 8;
    }
    out[2 * nbytes] = '\0';
}

static void make_uuid(char out[40])
{
    char h[33];
    random_hex(h, 16);
    h[12] = '4';
    h[16] = "89ab"[h[16] % 4];
    snprintf(out, 40, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

static void arm_timer(env_t *e, uint64_t at_ns)
{
    struct itimerspec its = {0};
    if (at_ns == 0) at_ns = 1; /* 0 would disarm: fire at once instead */
    its.it_value.tv_sec = (time_t)(at_ns / 1000000000u);
    its.it_value.tv_nsec = (long)(at_ns % 1000000000u);
    timerfd_settime(e->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void inv_free(invocation_t *inv)
{
    if (!inv) return;
    fn_config_release(inv->cfg);
    free(inv->payload);
    free(inv->client_context);
    free(inv->invoked_arn);
    free(inv);
}

/* Appends the environment's log bytes to its tail and to the output. */
static void log_add(env_t *e, outbuf_t *ob, const char *p, size_t n)
{
    report_tail_append(&e->tail, p, n);
    out_add(ob, p, n);
}

/* Reads what the runtime has written so far. */
static int drain_log(env_t *e, outbuf_t *ob)
{
    char buf[16384];
    size_t got;
    sandbox_err_t r;
    while ((r = sandbox_read_log(e->sb, buf, sizeof buf, &got)) == SANDBOX_OK)
        log_add(e, ob, buf, got);
    return r == SANDBOX_ERR_GONE ? -1 : 0;
}

static void respond_client(invocation_t *inv, unsigned status, const char *fn_error,
                           const char *log_result, char *body, size_t len)
{
    httpd_header_t h[6];
    size_t n = 0;
    h[n++] = (httpd_header_t){"Content-Type", "application/json"};
    h[n++] = (httpd_header_t){"X-Amz-Executed-Version", "$LATEST"};
    h[n++] = (httpd_header_t){"x-amzn-RequestId", inv->id};
    if (fn_error) h[n++] = (httpd_header_t){"X-Amz-Function-Error", fn_error};
    if (log_result) h[n++] = (httpd_header_t){"X-Amz-Log-Result", log_result};
    httpd_respond(inv->client, status, h, n, body, len);
    inv->client = NULL;
}

/* The end of an invocation, however it ended: END and REPORT lines, the
 * caller's answer (with the log tail when asked). Takes body. */
typedef struct outcome {
    char *body;
    size_t len;
    const char *fn_error;   /* "Unhandled" or NULL */
    const char *status;     /* REPORT Status: NULL, "timeout", "error" */
    const char *error_type; /* REPORT Error Type */
    char type_buf[128];     /* storage for error_type when it is not static */
} outcome_t;

static int schedule_retry_locked(sched_t *s, invocation_t *inv, uint64_t now);

static void finish_locked(env_t *e, outcome_t *oc, outbuf_t *ob)
{
    invocation_t *inv = e->inv;
    uint64_t now = mono_ns();
    if (!inv->tail && inv->client) { /* the caller need not wait for REPORT */
        respond_client(inv, 200, oc->fn_error, NULL, oc->body, oc->len);
        oc->body = NULL;
    }
    drain_log(e, ob);
    char line[REPORT_LINE_MAX];
    size_t n = report_end_line(line, sizeof line, inv->id);
    log_add(e, ob, line, n);
    report_figures_t fig = {
        .request_id = inv->id,
        .duration_ns = e->inv_sent ? now - inv->t_sent : 0,
        .init_ns = e->init_ns,
        .cold = e->cold,
        .bill_init = e->cfg->bill_init,
        .memory_size_mb = e->cfg->memory_mb,
        .max_memory_mb = report_bytes_to_mb(sandbox_peak_bytes(e->sb)),
        .status = oc->status,
        .error_type = oc->error_type    ? oc->error_type
                      : oc->type_buf[0] ? oc->type_buf
                                        : NULL,
    };
    n = report_report_line(line, sizeof line, &fig);
    log_add(e, ob, line, n);
    if (inv->client) {
        char tail[REPORT_TAIL_MAX];
        size_t tl = report_tail_copy(&e->tail, tail);
        char *b64 = report_base64(tail, tl);
        respond_client(inv, 200, oc->fn_error, b64, oc->body, oc->len);
        oc->body = NULL;
        free(b64);
    }
    free(oc->body);
    oc->body = NULL;
    report_tail_reset(&e->tail);
    e->cold = 0;
    e->inv = NULL;
    e->inv_sent = 0;
    if (!oc->fn_error || !schedule_retry_locked(e->s, inv, now)) inv_free(inv);
    if (e->state == ENV_BUSY || e->state == ENV_INIT) e->state = ENV_FINISHING;
}

/* {"errorType":type,"errorMessage":"RequestId: <id> Error: <what>"} */
static outcome_t error_outcome(const char *id, const char *type, const char *what,
                               const char *status)
{
    char msg[512];
    snprintf(msg, sizeof msg, "RequestId: %s Error: %s", id, what);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "errorType", type);
    cJSON_AddStringToObject(o, "errorMessage", msg);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    outcome_t oc = {.body = body,
                    .len = body ? strlen(body) : 0,
                    .fn_error = "Unhandled",
                    .status = status,
                    .error_type = type};
    if (status && strcmp(status, "timeout") == 0) oc.error_type = NULL;
    return oc;
}

static void kill_env_locked(env_t *e, kill_reason_t why)
{
    if (e->state == ENV_DEAD) return;
    if (e->kill_reason == KILL_NONE) e->kill_reason = why;
    e->state = ENV_DEAD;
    sandbox_kill(e->sb); /* the supervisor sees the exit and cleans up */
}

/* Hands the current invocation to the runtime's suspended /next. */
static void send_event_locked(env_t *e, outbuf_t *ob)
{
    invocation_t *inv = e->inv;
    sched_t *s = e->s;
    httpd_req_t *next = e->next_req;
    e->next_req = NULL;
    sandbox_thaw(e->sb);
    char line[REPORT_LINE_MAX];
    size_t n = report_start_line(line, sizeof line, inv->id, "$LATEST");
    log_add(e, ob, line, n);
    char trace[128], root[25], parent[17];
    random_hex(root, 12);
    random_hex(parent, 8);
    snprintf(trace, sizeof trace, "Root=1-%08llx-%s;Parent=%s;Sampled=0",
             (unsigned long long)(epoch_ms() / 1000), root, parent);
    rapi_event_t ev = {
        .request_id = inv->id,
        .deadline_ms = epoch_ms() + (uint64_t)inv->cfg->timeout_s * 1000u,
        .function_arn = inv->invoked_arn ? inv->invoked_arn : inv->cfg->arn,
        .trace_id = trace,
        .client_context = inv->client_context,
        .payload = inv->payload,
        .len = inv->len,
    };
    if (inv->event) { /* an Event keeps its payload for a retry; httpd takes a copy */
        ev.payload = inv->len ? malloc(inv->len) : NULL;
        if (ev.payload)
            memcpy(ev.payload, inv->payload, inv->len);
        else
            ev.len = 0;
    } else {
        inv->payload = NULL;
    }
    inv->t_sent = mono_ns();
    inv->deadline_ns = inv->t_sent + (uint64_t)inv->cfg->timeout_s * 1000000000u;
    e->inv_sent = 1;
    arm_timer(e, inv->deadline_ns);
    s->invocations++;
    rapi_send_event(next, &ev);
    free(ev.payload); /* only if httpd did not take it */
}

static void dispatch_locked(env_t *e, invocation_t *inv, outbuf_t *ob)
{
    e->inv = inv;
    e->inv_sent = 0;
    e->state = ENV_BUSY;
    if (e->next_req) send_event_locked(e, ob);
}

static unsigned busy_locked(sched_t *s)
{
    unsigned n = 0;
    for (env_t *e = s->envs; e; e = e->next)
        if (e->state == ENV_INIT || e->state == ENV_BUSY || e->state == ENV_FINISHING) n++;
    return n;
}

static void *supervise(void *arg);

/* The environment a function sees on Lambda, and nothing of ours. */
static char **build_envp(sched_t *s, env_t *e, uint16_t port)
{
    const fn_config_t *c = e->cfg;
    size_t cap = 32 + c->nvars;
    char **envp = calloc(cap, sizeof *envp);
    if (!envp) return NULL;
    size_t n = 0;
    char buf[1024], date[16], stream[40];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y/%m/%d", &tm);
    random_hex(stream, 16);
#define PUT(...)                                                                                   \
    do {                                                                                           \
        snprintf(buf, sizeof buf, __VA_ARGS__);                                                    \
        envp[n++] = strdup(buf);                                                                   \
    } while (0)
    PUT("AWS_LAMBDA_RUNTIME_API=%s:%u", s->cfg.rapi_host, port);
    PUT("_HANDLER=%s", c->handler);
    PUT("LAMBDA_TASK_ROOT=%s", c->task_root);
    PUT("LAMBDA_RUNTIME_DIR=%s", c->task_root);
    PUT("AWS_LAMBDA_FUNCTION_NAME=%s", c->name);
    PUT("AWS_LAMBDA_FUNCTION_VERSION=$LATEST");
    PUT("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%u", c->memory_mb);
    PUT("AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/%s", c->name);
    PUT("AWS_LAMBDA_LOG_STREAM_NAME=%s/[$LATEST]%s", date, stream);
    PUT("AWS_LAMBDA_INITIALIZATION_TYPE=on-demand");
    PUT("AWS_REGION=%s", s->cfg.region);
    PUT("AWS_DEFAULT_REGION=%s", s->cfg.region);
    PUT("AWS_EXECUTION_ENV=AWS_Lambda_%s", c->runtime);
    /* Lambda hands the execution role's credentials; here, the emulator's
     * own if it has any, else fixed local ones. */
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    const char *tok = getenv("AWS_SESSION_TOKEN");
    PUT("AWS_ACCESS_KEY_ID=%s", ak ? ak : "AKIDLOCALLAMBDA00000");
    PUT("AWS_SECRET_ACCESS_KEY=%s", sk ? sk : "local-lambda-emulator-secret");
    if (tok) PUT("AWS_SESSION_TOKEN=%s", tok);
    PUT("PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin");
    PUT("LD_LIBRARY_PATH=%s:%s/lib:/opt/lib", c->task_root, c->task_root);
    PUT("LANG=en_US.UTF-8");
    PUT("TZ=:UTC");
#undef PUT
    for (size_t i = 0; i < c->nvars && n + 1 < cap; i++) envp[n++] = strdup(c->vars[i]);
    for (size_t i = 0; i < n; i++) {
        if (!envp[i]) {
            for (size_t j = 0; j < n; j++) free(envp[j]);
            free(envp);
            return NULL;
        }
    }
    return envp;
}

static void strv_free(char **v)
{
    if (!v) return;
    for (size_t i = 0; v[i]; i++) free(v[i]);
    free(v);
}

/* A cold start for inv. On failure answers inv's caller and frees it. */
static void spawn_locked(sched_t *s, invocation_t *inv, outbuf_t *ob)
{
    const fn_config_t *c = inv->cfg;
    char **envp = NULL;
    char why[256] = "";
    const char *type = "Runtime.Unknown";
    env_t *e = calloc(1, sizeof *e);
    if (!e) goto fail;
    e->timer_fd = e->listen_fd = -1;
    if (access(c->argv[0], X_OK) != 0) {
        /* Lambda's wording when a provided.* function has no bootstrap. */
        type = "Runtime.InvalidEntrypoint";
        snprintf(why, sizeof why, "Couldn't find valid bootstrap(s): [%s]", c->argv[0]);
        goto fail;
    }
    e->s = s;
    e->id = ++s->env_seq;
    e->cfg = inv->cfg;
    fn_config_retain(e->cfg);
    e->cold = 1;
    e->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (e->timer_fd < 0 || rapi_listen(s->cfg.rapi_host, &e->listen_fd, &e->port) != RAPI_OK) {
        snprintf(why, sizeof why, "cannot start the Runtime API");
        goto fail;
    }
    envp = build_envp(s, e, e->port);
    if (!envp) goto fail;
    char cgname[64];
    snprintf(cgname, sizeof cgname, "%ld-%lu", (long)getpid(), e->id);
    sandbox_config_t sc = {
        .argv = c->argv,
        .envp = envp,
        .cwd = c->task_root,
        .memory_mb = c->memory_mb,
        .use_cgroups = s->cfg.use_cgroups,
        .limit_cpu = s->cfg.limit_cpu,
        .cgroup_root = s->cfg.cgroup_root,
        .cgroup_parent = "lambda-emulator",
        .cgroup_name = cgname,
    };
    e->t_spawn = mono_ns();
    sandbox_err_t se = sandbox_spawn(&sc, &e->sb);
    strv_free(envp);
    envp = NULL;
    if (se != SANDBOX_OK) {
        snprintf(why, sizeof why, "%s", sandbox_strerror(se));
        goto fail;
    }
    e->state = ENV_INIT;
    e->inv = inv;
    arm_timer(e, e->t_spawn + (uint64_t)s->cfg.init_timeout_ms * 1000000u);
    if (pthread_create(&e->thread, NULL, supervise, e) != 0) {
        snprintf(why, sizeof why, "cannot start a supervisor thread");
        e->inv = NULL;
        goto fail;
    }
    pthread_detach(e->thread);
    s->nthreads++;
    s->cold_starts++;
    e->next = s->envs;
    s->envs = e;
    return;

fail:
    if (!*why) snprintf(why, sizeof why, "out of memory");
    strv_free(envp);
    if (e) {
        sandbox_free(e->sb);
        if (e->listen_fd >= 0) close(e->listen_fd);
        if (e->timer_fd >= 0) close(e->timer_fd);
        fn_config_release(e->cfg);
        free(e);
    }
    char line[REPORT_LINE_MAX];
    int n = snprintf(line, sizeof line, "%s: %s\n", type, why);
    out_add(ob, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    if (inv->client) {
        outcome_t oc = error_outcome(inv->id, type, why, "error");
        respond_client(inv, 200, "Unhandled", NULL, oc.body, oc.len);
    }
    inv_free(inv);
}

/* Keeps at most max_concurrency idle environments: before a cold start,
 * the least recently used idle one beyond that goes. */
static void reclaim_idle_locked(sched_t *s)
{
    unsigned idle = 0;
    env_t *oldest = NULL;
    for (env_t *e = s->envs; e; e = e->next) {
        if (e->state != ENV_IDLE) continue;
        idle++;
        if (!oldest || e->idle_since < oldest->idle_since) oldest = e;
    }
    if (oldest && idle >= s->cfg.max_concurrency) kill_env_locked(oldest, KILL_IDLE);
}

/* Runs inv on a warm environment, a finishing one, or a new one. Returns
 * SCHED_ERR_THROTTLED (inv untouched) when none is allowed. */
static sched_err_t submit_locked(sched_t *s, invocation_t *inv, outbuf_t *ob)
{
    env_t *finishing = NULL;
    for (env_t *e = s->envs; e; e = e->next) {
        if (e->cfg != inv->cfg) continue;
        if (e->state == ENV_IDLE) {
            dispatch_locked(e, inv, ob);
            return SCHED_OK;
        }
        if (e->state == ENV_FINISHING && !e->pending && !finishing) finishing = e;
    }
    if (finishing) {
        /* Its deadline runs from now, so a runtime that never asks for the
         * next event cannot hold it forever. */
        finishing->pending = inv;
        inv->deadline_ns = mono_ns() + (uint64_t)inv->cfg->timeout_s * 1000000000u;
        arm_timer(finishing, inv->deadline_ns);
        return SCHED_OK;
    }
    if (busy_locked(s) >= s->cfg.max_concurrency) return SCHED_ERR_THROTTLED;
    reclaim_idle_locked(s);
    spawn_locked(s, inv, ob);
    return SCHED_OK;
}

/* Starts queued Event invocations while capacity allows. */
static void pump_locked(sched_t *s, outbuf_t *ob)
{
    while (s->queue && !s->stopping) {
        invocation_t *inv = s->queue;
        s->queue = inv->next;
        if (!s->queue) s->queue_tail = NULL;
        inv->next = NULL;
        if (submit_locked(s, inv, ob) == SCHED_ERR_THROTTLED) {
            inv->next = s->queue;
            s->queue = inv;
            if (!s->queue_tail) s->queue_tail = inv;
            return;
        }
    }
}

static void enqueue_locked(sched_t *s, invocation_t *inv)
{
    inv->next = NULL;
    if (s->queue_tail)
        s->queue_tail->next = inv;
    else
        s->queue = inv;
    s->queue_tail = inv;
}

/* Runs the Event retries that are due, sleeping until the next one is. */
static void *retry_loop(void *arg)
{
    sched_t *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        invocation_t *inv = s->retries;
        if (!inv) {
            pthread_cond_wait(&s->retry_cv, &s->lock);
            continue;
        }
        if (inv->due_ns > mono_ns()) {
            struct timespec at = {.tv_sec = (time_t)(inv->due_ns / 1000000000u),
                                  .tv_nsec = (long)(inv->due_ns % 1000000000u)};
            pthread_cond_timedwait(&s->retry_cv, &s->lock, &at);
            continue;
        }
        s->retries = inv->next;
        inv->next = NULL;
        outbuf_t ob = {0};
        if (submit_locked(s, inv, &ob) == SCHED_ERR_THROTTLED) enqueue_locked(s, inv);
        unlock_and_flush(s, &ob);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* An Event invocation that ended in a function error runs again later, with
 * the same request id, as Lambda retries asynchronous invocations. Returns
 * 1 when inv was kept for that. */
static int schedule_retry_locked(sched_t *s, invocation_t *inv, uint64_t now)
{
    if (!inv->event || s->stopping || inv->attempt >= s->cfg.event_retries) return 0;
    if (!s->retry_thread_started) {
        if (pthread_create(&s->retry_thread, NULL, retry_loop, s) != 0) return 0;
        s->retry_thread_started = 1;
    }
    unsigned delay_ms = s->cfg.retry_delay_ms[inv->attempt < 2 ? inv->attempt : 1];
    inv->attempt++;
    inv->due_ns = now + (uint64_t)delay_ms * 1000000u;
    inv->t_sent = inv->deadline_ns = 0;
    invocation_t **pp = &s->retries;
    while (*pp && (*pp)->due_ns <= inv->due_ns) pp = &(*pp)->next;
    inv->next = *pp;
    *pp = inv;
    pthread_cond_signal(&s->retry_cv);
    return 1;
}

static invocation_t *take_queued_locked(sched_t *s, const fn_config_t *cfg)
{
    for (invocation_t **pp = &s->queue, *prev = NULL; *pp; prev = *pp, pp = &(*pp)->next) {
        if ((*pp)->cfg != cfg) continue;
        invocation_t *inv = *pp;
        *pp = inv->next;
        if (s->queue_tail == inv) s->queue_tail = prev;
        inv->next = NULL;
        return inv;
    }
    return NULL;
}

/* The Runtime API handlers run with s->lock held and release it. */
static void on_next_locked(env_t *e, httpd_req_t *req)
{
    sched_t *s = e->s;
    outbuf_t ob = {0};
    if (e->state == ENV_DEAD) {
        pthread_mutex_unlock(&s->lock);
        rapi_reply_error(req, 500, "Runtime.Terminated", "The environment is shutting down");
        return;
    }
    if (e->next_req || (e->state == ENV_BUSY && e->inv_sent)) {
        pthread_mutex_unlock(&s->lock);
        rapi_reply_error(req, 403, "InvalidStateTransition",
                         "State transition from Invoking to Next failed");
        return;
    }
    uint64_t now = mono_ns();
    if (e->state == ENV_INIT) {
        e->init_ns = now - e->t_spawn;
        sandbox_end_init(e->sb);
    }
    e->next_req = req;
    invocation_t *inv = NULL;
    if (e->state == ENV_INIT && e->inv) {
        e->state = ENV_BUSY;
        send_event_locked(e, &ob);
    } else if (fn_config_retired(e->cfg) && !e->pending) {
        kill_env_locked(e, KILL_RETIRED);
    } else if ((inv = e->pending) || (inv = take_queued_locked(s, e->cfg))) {
        e->pending = NULL;
        dispatch_locked(e, inv, &ob);
    } else {
        e->state = ENV_IDLE;
        e->idle_since = now;
        if (s->cfg.freeze) sandbox_freeze(e->sb);
        arm_timer(e, now + (uint64_t)s->cfg.idle_timeout_ms * 1000000u);
        if (s->queue) pump_locked(s, &ob); /* capacity freed for other functions */
    }
    unlock_and_flush(s, &ob);
}

/* The invocation a /response or /error names, or NULL (InvalidRequestID). */
static invocation_t *current_locked(env_t *e, const char *id)
{
    if (e->state != ENV_BUSY || !e->inv || !e->inv_sent) return NULL;
    return strcmp(e->inv->id, id) == 0 ? e->inv : NULL;
}

static void on_response_locked(env_t *e, httpd_req_t *req, const char *id)
{
    sched_t *s = e->s;
    outbuf_t ob = {0};
    size_t len;
    const char *body = httpd_req_body(req, &len);
    invocation_t *inv = current_locked(e, id);
    if (!inv) {
        pthread_mutex_unlock(&s->lock);
        rapi_reply_error(req, 400, "InvalidRequestID", "Invalid request ID");
        return;
    }
    if (rapi_body_too_large(req)) {
        /* The runtime hears 413; the caller gets Lambda's error document. */
        static const char doc[] = "{\"errorMessage\":\"Response payload size exceeded maximum "
                                  "allowed payload size (6291556 bytes).\",\"errorType\":"
                                  "\"Function.ResponseSizeTooLarge\"}";
        outcome_t oc = {.body = strdup(doc),
                        .len = sizeof doc - 1,
                        .fn_error = "Unhandled",
                        .status = "error",
                        .error_type = "Function.ResponseSizeTooLarge"};
        finish_locked(e, &oc, &ob);
        rapi_reply_error(req, 413, "RequestEntityTooLarge",
                         "Exceeded maximum allowed payload size (6291556 bytes).");
        unlock_and_flush(s, &ob);
        return;
    }
    char *copy = malloc(len + 1);
    if (copy) memcpy(copy, body, len + 1);
    outcome_t oc = {.body = copy, .len = copy ? len : 0};
    finish_locked(e, &oc, &ob);
    rapi_reply_accepted(req);
    unlock_and_flush(s, &ob);
}

/* The error document a runtime posted, or one built from its header. */
static outcome_t posted_error(httpd_req_t *req)
{
    size_t len;
    const char *body = httpd_req_body(req, &len);
    const char *hdr = httpd_req_header(req, "Lambda-Runtime-Function-Error-Type");
    cJSON *doc = len ? cJSON_ParseWithLength(body, len) : NULL;
    int as_posted = cJSON_IsObject(doc);
    if (!as_posted) {
        cJSON_Delete(doc);
        doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "errorMessage", len ? body : "");
        cJSON_AddStringToObject(doc, "errorType", hdr ? hdr : "Runtime.Unknown");
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "errorType");
    outcome_t oc = {.fn_error = "Unhandled", .status = "error"};
    snprintf(oc.type_buf, sizeof oc.type_buf, "%s",
             cJSON_IsString(t) ? t->valuestring
             : hdr             ? hdr
                               : "Runtime.Unknown");
    /* A JSON document reaches the caller byte for byte, as on Lambda. */
    char *out = as_posted ? malloc(len + 1) : cJSON_PrintUnformatted(doc);
    if (as_posted && out) memcpy(out, body, len + 1);
    cJSON_Delete(doc);
    oc.body = out;
    oc.len = out ? strlen(out) : 0;
    return oc;
}

static void on_error_locked(env_t *e, httpd_req_t *req, const char *id)
{
    sched_t *s = e->s;
    outbuf_t ob = {0};
    if (!current_locked(e, id)) {
        pthread_mutex_unlock(&s->lock);
        rapi_reply_error(req, 400, "InvalidRequestID", "Invalid request ID");
        return;
    }
    outcome_t oc = posted_error(req);
    finish_locked(e, &oc, &ob);
    rapi_reply_accepted(req);
    unlock_and_flush(s, &ob);
}

static void on_init_error_locked(env_t *e, httpd_req_t *req)
{
    sched_t *s = e->s;
    outbuf_t ob = {0};
    if (e->state != ENV_INIT) {
        pthread_mutex_unlock(&s->lock);
        rapi_reply_error(req, 403, "InvalidStateTransition",
                         "State transition from Ready to InitError failed");
        return;
    }
    e->init_ns = mono_ns() - e->t_spawn;
    outcome_t oc = posted_error(req);
    char line[REPORT_LINE_MAX];
    size_t n = report_init_line(line, sizeof line, e->init_ns, "error", oc.type_buf);
    log_add(e, &ob, line, n);
    if (e->inv)
        finish_locked(e, &oc, &ob);
    else
        free(oc.body);
    kill_env_locked(e, KILL_INIT_ERROR);
    rapi_reply_accepted(req);
    unlock_and_flush(s, &ob);
}

/* Timer expiry: timeout, init limit, idle reclaim. */
static void on_timer_locked(env_t *e, outbuf_t *ob)
{
    sched_t *s = e->s;
    uint64_t now = mono_ns();
    if (e->state == ENV_BUSY && e->inv && e->inv_sent && now >= e->inv->deadline_ns) {
        invocation_t *inv = e->inv;
        char what[96], line[256], ts[40];
        snprintf(what, sizeof what, "Task timed out after %u.00 seconds", inv->cfg->timeout_s);
        struct timespec rt;
        clock_gettime(CLOCK_REALTIME, &rt);
        struct tm tm;
        gmtime_r(&rt.tv_sec, &tm);
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
        int n = snprintf(line, sizeof line, "%s.%03ldZ %s %s\n", ts, rt.tv_nsec / 1000000, inv->id,
                         what);
        log_add(e, ob, line, (size_t)n);
        outcome_t oc = error_outcome(inv->id, "Sandbox.Timedout", what, "timeout");
        finish_locked(e, &oc, ob);
        kill_env_locked(e, KILL_TIMEOUT);
    } else if (e->state == ENV_FINISHING && e->pending && now >= e->pending->deadline_ns) {
        /* Never asked for the next event: the waiting invocation times out. */
        e->inv = e->pending;
        e->pending = NULL;
        e->state = ENV_BUSY;
        char what[96];
        snprintf(what, sizeof what, "Task timed out after %u.00 seconds", e->inv->cfg->timeout_s);
        outcome_t oc = error_outcome(e->inv->id, "Sandbox.Timedout", what, "timeout");
        finish_locked(e, &oc, ob);
        kill_env_locked(e, KILL_TIMEOUT);
    } else if (e->state == ENV_INIT &&
               now >= e->t_spawn + (uint64_t)s->cfg.init_timeout_ms * 1000000u) {
        if (e->inv) {
            char what[96];
            snprintf(what, sizeof what, "Init timed out after %u.%02u seconds",
                     s->cfg.init_timeout_ms / 1000, s->cfg.init_timeout_ms % 1000 / 10);
            e->init_ns = now - e->t_spawn;
            char line[REPORT_LINE_MAX];
            size_t n = report_init_line(line, sizeof line, e->init_ns, "timeout", NULL);
            log_add(e, ob, line, n);
            outcome_t oc = error_outcome(e->inv->id, "Sandbox.Timedout", what, "timeout");
            finish_locked(e, &oc, ob);
        }
        kill_env_locked(e, KILL_INIT_TIMEOUT);
    } else if (e->state == ENV_IDLE &&
               now >= e->idle_since + (uint64_t)s->cfg.idle_timeout_ms * 1000000u) {
        kill_env_locked(e, KILL_IDLE);
    }
}

/* The runtime's main process is gone: answer what waited on it. */
static void on_exit_locked(env_t *e, int status, outbuf_t *ob)
{
    sched_t *s = e->s;
    int in_init = e->state == ENV_INIT;
    if (in_init) e->init_ns = mono_ns() - e->t_spawn;
    if (e->inv) {
        char desc[64], what[128];
        sandbox_describe_exit(status, desc, sizeof desc);
        snprintf(what, sizeof what, "Runtime exited with error: %s", desc);
        const char *type = sandbox_oom_killed(e->sb) ? "Runtime.OutOfMemory" : "Runtime.ExitError";
        drain_log(e, ob);
        char line[REPORT_LINE_MAX];
        if (in_init) {
            size_t len = report_init_line(line, sizeof line, e->init_ns, "error", type);
            log_add(e, ob, line, len);
        }
        int n =
            snprintf(line, sizeof line, "RequestId: %s Error: %s\n%s\n", e->inv->id, what, type);
        log_add(e, ob, line, (size_t)n);
        outcome_t oc = error_outcome(e->inv->id, type, what, "error");
        if (e->state == ENV_DEAD) e->state = ENV_BUSY; /* let finish run */
        finish_locked(e, &oc, ob);
    }
    e->state = ENV_DEAD;
    if (e->next_req) {
        rapi_reply_error(e->next_req, 500, "Runtime.Terminated", "The environment is gone");
        e->next_req = NULL;
    }
    for (env_t **pp = &s->envs; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    }
    invocation_t *pending = e->pending;
    e->pending = NULL;
    if (pending) {
        if (s->stopping || submit_locked(s, pending, ob) == SCHED_ERR_THROTTLED) {
            if (pending->client) {
                outcome_t oc =
                    error_outcome(pending->id, "Runtime.ExitError",
                                  "Runtime exited before the invocation started", "error");
                respond_client(pending, 200, "Unhandled", NULL, oc.body, oc.len);
            }
            inv_free(pending);
        }
    }
    pump_locked(s, ob);
}

/* The runtime connected: its connections are served by the one server
 * thread, which tells environments apart by local port. */
static void adopt_connections(env_t *e)
{
    for (;;) {
        int fd = accept4(e->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN: all taken */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        httpd_t *srv = __atomic_load_n(&e->s->srv, __ATOMIC_ACQUIRE);
        httpd_err_t err;
        if (!srv) {
            close(fd);
            fprintf(stderr, "lambda-emulator: a runtime connection was dropped: no server yet\n");
        } else if ((err = httpd_adopt(srv, fd)) != HTTPD_OK) { /* httpd closed fd */
            fprintf(stderr, "lambda-emulator: a runtime connection was dropped: %s\n",
                    httpd_strerror(err));
        }
    }
}

static void *supervise(void *arg)
{
    env_t *e = arg;
    sched_t *s = e->s;
    struct pollfd pfd[4] = {
        {sandbox_exit_fd(e->sb), POLLIN, 0},
        {sandbox_log_fd(e->sb), POLLIN, 0},
        {e->timer_fd, POLLIN, 0},
        {e->listen_fd, POLLIN, 0},
    };
    int status = 0;
    for (;;) {
        if (poll(pfd, 4, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pfd[3].revents) adopt_connections(e);
        outbuf_t ob = {0};
        pthread_mutex_lock(&s->lock);
        if (pfd[1].revents) {
            if (drain_log(e, &ob) < 0) pfd[1].fd = -1; /* closed its stdout */
        }
        if (pfd[2].revents) {
            uint64_t ticks;
            if (read(e->timer_fd, &ticks, sizeof ticks) < 0) { /* spurious */
            }
            on_timer_locked(e, &ob);
        }
        int exited = pfd[0].revents && sandbox_reap(e->sb, &status);
        if (exited) on_exit_locked(e, status, &ob);
        unlock_and_flush(s, &ob);
        if (exited) break;
    }
    /* Gone from the list: no Runtime API request can reach e any more. */
    close(e->listen_fd);
    outbuf_t ob = {0};
    pthread_mutex_lock(&s->lock);
    drain_log(e, &ob);
    unlock_and_flush(s, &ob);
    sandbox_free(e->sb);
    close(e->timer_fd);
    fn_config_release(e->cfg);
    free(e);
    pthread_mutex_lock(&s->lock);
    s->nthreads--;
    pthread_cond_broadcast(&s->gone);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

sched_err_t sched_new(const sched_config_t *cfg, sched_t **out)
{
    sched_t *s = calloc(1, sizeof *s);
    if (!s) return SCHED_ERR_NOMEM;
    s->cfg = *cfg;
    /* The v1 freezer flips a kernel static key (text patching and an IPI to
     * every CPU, ~100 us) whenever the number of frozen groups goes between
     * 0 and 1. One empty group kept frozen for the emulator's lifetime keeps
     * the count above 0, so freezing an environment after each invoke and
     * thawing it for the next stay cheap. */
    if (cfg->use_cgroups && cfg->freeze) {
        char name[48];
        snprintf(name, sizeof name, "%ld-anchor", (long)getpid());
        if (cgroup_create(cfg->cgroup_root, "lambda-emulator", name, CGROUP_FREEZER, 128,
                          &s->anchor) == CGROUP_OK &&
            cgroup_freeze(s->anchor) != CGROUP_OK) {
            cgroup_destroy(s->anchor);
            s->anchor = NULL;
        }
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->out_lock, NULL);
    pthread_cond_init(&s->gone, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* retry_loop waits on mono_ns time */
    pthread_cond_init(&s->retry_cv, &ca);
    pthread_condattr_destroy(&ca);
    *out = s;
    return SCHED_OK;
}

sched_err_t sched_invoke(sched_t *s, sched_invoke_t *in)
{
    invocation_t *inv = calloc(1, sizeof *inv);
    if (!inv) {
        fn_config_release(in->cfg);
        free(in->payload);
        return SCHED_ERR_NOMEM;
    }
    make_uuid(inv->id);
    memcpy(in->request_id, inv->id, sizeof inv->id);
    inv->cfg = in->cfg;
    inv->payload = in->payload;
    inv->len = in->len;
    inv->tail = in->log_tail;
    inv->client = in->type == SCHED_REQUEST_RESPONSE ? in->client : NULL;
    inv->event = in->type == SCHED_EVENT;
    inv->client_context = in->client_context ? strdup(in->client_context) : NULL;
    if (in->qualifier && *in->qualifier &&
        asprintf(&inv->invoked_arn, "%s:%s", in->cfg->arn, in->qualifier) < 0)
        inv->invoked_arn = NULL;
    in->cfg = NULL;
    in->payload = NULL;

    outbuf_t ob = {0};
    sched_err_t err = SCHED_OK;
    pthread_mutex_lock(&s->lock);
    if (s->stopping) {
        err = SCHED_ERR_STOPPING;
    } else if (submit_locked(s, inv, &ob) == SCHED_ERR_THROTTLED) {
        if (in->type == SCHED_EVENT) {
            enqueue_locked(s, inv);
        } else {
            s->throttles++;
            err = SCHED_ERR_THROTTLED;
        }
    }
    unlock_and_flush(s, &ob);
    if (err != SCHED_OK) {
        inv->client = NULL;
        inv_free(inv);
    }
    return err;
}

void sched_attach_server(sched_t *s, httpd_t *srv)
{
    __atomic_store_n(&s->srv, srv, __ATOMIC_RELEASE);
}

void sched_runtime_request(sched_t *s, httpd_req_t *req)
{
    char id[RAPI_ID_MAX];
    rapi_route_t route = rapi_route(httpd_req_method(req), httpd_req_path(req), id, sizeof id);
    if (route == RAPI_NOT_FOUND) {
        rapi_reply_error(req, 404, "NotFound", "Not found");
        return;
    }
    if (route == RAPI_BAD_METHOD) {
        rapi_reply_error(req, 405, "MethodNotAllowed", "Method not allowed");
        return;
    }
    uint16_t port = httpd_req_local_port(req);
    pthread_mutex_lock(&s->lock);
    env_t *e = s->envs;
    while (e && e->port != port) e = e->next;
    if (!e) {
        pthread_mutex_unlock(&s->lock);
        rapi_reply_error(req, 410, "Runtime.Terminated", "The environment is gone");
        return;
    }
    switch (route) {
    case RAPI_NEXT: on_next_locked(e, req); return;
    case RAPI_RESPONSE: on_response_locked(e, req, id); return;
    case RAPI_ERROR: on_error_locked(e, req, id); return;
    case RAPI_INIT_ERROR: on_init_error_locked(e, req); return;
    case RAPI_NOT_FOUND:
    case RAPI_BAD_METHOD: break;
    }
    pthread_mutex_unlock(&s->lock);
}

void sched_retire(void *ctx, const char *name)
{
    sched_t *s = ctx;
    pthread_mutex_lock(&s->lock);
    for (env_t *e = s->envs; e; e = e->next)
        if (e->state == ENV_IDLE && fn_config_retired(e->cfg) && strcmp(e->cfg->name, name) == 0)
            kill_env_locked(e, KILL_RETIRED);
    pthread_mutex_unlock(&s->lock);
}

void sched_shutdown(sched_t *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    for (invocation_t *inv = s->queue, *n; inv; inv = n) {
        n = inv->next;
        inv_free(inv);
    }
    s->queue = s->queue_tail = NULL;
    for (invocation_t *inv = s->retries, *n; inv; inv = n) {
        n = inv->next;
        inv_free(inv);
    }
    s->retries = NULL;
    pthread_cond_broadcast(&s->retry_cv);
    for (env_t *e = s->envs; e; e = e->next) {
        if (e->kill_reason == KILL_NONE) e->kill_reason = KILL_SHUTDOWN;
        sandbox_kill(e->sb); /* in-flight callers get the exit error */
    }
    while (s->nthreads) pthread_cond_wait(&s->gone, &s->lock);
    int joined = s->retry_thread_started;
    s->retry_thread_started = 0;
    pthread_mutex_unlock(&s->lock);
    if (joined) pthread_join(s->retry_thread, NULL);
}

void sched_free(sched_t *s)
{
    if (!s) return;
    if (s->anchor) cgroup_thaw(s->anchor);
    cgroup_destroy(s->anchor);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->out_lock);
    pthread_cond_destroy(&s->gone);
    pthread_cond_destroy(&s->retry_cv);
    free(s);
}

void sched_stats(sched_t *s, sched_stats_t *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->lock);
    for (env_t *e = s->envs; e; e = e->next) {
        out->envs++;
        if (e->state == ENV_IDLE) out->idle++;
        if (e->state == ENV_INIT || e->state == ENV_BUSY || e->state == ENV_FINISHING) out->busy++;
    }
    out->cold_starts = s->cold_starts;
    out->invocations = s->invocations;
    out->throttles = s->throttles;
    pthread_mutex_unlock(&s->lock);
}
