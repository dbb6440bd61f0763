/* bench-emulator: how much lambda-emulator adds to an invocation.
 *
 *   bench-emulator warm PORT CONCURRENCY SECONDS
 *       closed-loop RequestResponse invokes of {} over keep-alive
 *       connections, one per client thread; prints p50/p99/mean and
 *       invokes/s (the function should be a no-op runtime).
 *   bench-emulator dryrun PORT CONCURRENCY SECONDS
 *       the same loop with X-Amz-Invocation-Type: DryRun: one HTTP round
 *       trip to the emulator and no runtime, the floor a warm invoke (two
 *       round trips) is measured against on this machine, now.
 *   bench-emulator cold PORT COUNT
 *       COUNT cold starts of the test runtime: Init Duration from the REPORT
 *       line (spawn -> first /next, the emulator's clock) minus the runtime's
 *       own main() -> first /next; then {"action":"crash","code":0} retires
 *       the environment so the next invoke is cold again.
 *   bench-emulator spawn RUNTIME COUNT
 *       the bare process start of the runtime without any emulator:
 *       posix_spawn -> exit of RUNTIME with no AWS_LAMBDA_RUNTIME_API (the
 *       test runtime exits at once). Part of "cold" above is this cost,
 *       which any way of starting the runtime pays.
 *   bench-emulator rss PID
 *       VmRSS and VmHWM of the emulator process.
 *
 * Prints figures only: a benchmark, not a test.
 */
#define _GNU_SOURCE
#include "base64.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct conn {
    int fd;
    char buf[65536];
    size_t pos, len;
} conn_t;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int conn_open(conn_t *c, int port)
{
    c->pos = c->len = 0;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    return connect(c->fd, (struct sockaddr *)&a, sizeof a);
}

static int getbyte(conn_t *c)
{
    if (c->pos == c->len) {
        ssize_t n;
        do n = recv(c->fd, c->buf, sizeof c->buf, 0);
        while (n < 0 && errno == EINTR);
        if (n <= 0) return -1;
        c->pos = 0;
        c->len = (size_t)n;
    }
    return (unsigned char)c->buf[c->pos++];
}

/* One invoke; the body (NUL-terminated, truncated to cap) and the
 * X-Amz-Log-Result header go to the caller. Returns the status or -1. */
static int invoke(conn_t *c, const char *payload, int tail, char *body, size_t cap, char *log64,
                  size_t log_cap)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n"
                     "Host: 127.0.0.1\r\n%sContent-Length: %zu\r\n\r\n%s",
                     tail == 2 ? "X-Amz-Invocation-Type: DryRun\r\n"
                     : tail    ? "X-Amz-Log-Type: Tail\r\n"
                               : "",
                     strlen(payload), payload);
    if (send(c->fd, req, (size_t)n, MSG_NOSIGNAL) != n) return -1;
    char line[8192];
    int status = -1;
    size_t clen = 0;
    for (int first = 1;; first = 0) {
        size_t k = 0;
        int ch;
        while ((ch = getbyte(c)) >= 0 && ch != '\n')
            if (k + 1 < sizeof line && ch != '\r') line[k++] = (char)ch;
        if (ch < 0) return -1;
        line[k] = '\0';
        if (first) {
            status = atoi(line + 9);
            continue;
        }
        if (!k) break;
        if (strncasecmp(line, "Content-Length:", 15) == 0) clen = strtoul(line + 15, NULL, 10);
        if (log64 && strncasecmp(line, "X-Amz-Log-Result:", 17) == 0)
            snprintf(log64, log_cap, "%s", line + 18);
    }
    for (size_t i = 0; i < clen; i++) {
        int ch = getbyte(c);
        if (ch < 0) return -1;
        if (body && i + 1 < cap) body[i] = (char)ch;
    }
    if (body && cap) body[clen < cap ? clen : cap - 1] = '\0';
    return status;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct worker {
    int port;
    uint64_t until;
    uint64_t *lat;
    size_t n, cap;
    int errors;
    int dry_run; /* DryRun: one HTTP round trip, no runtime involved */
} worker_t;

static void *warm_loop(void *arg)
{
    worker_t *w = arg;
    conn_t *c = malloc(sizeof *c);
    if (!c || conn_open(c, w->port) != 0) {
        w->errors++;
        free(c);
        return NULL;
    }
    char body[256];
    while (now_ns() < w->until && w->n < w->cap) {
        uint64_t t0 = now_ns();
        int st = invoke(c, "{}", w->dry_run ? 2 : 0, body, sizeof body, NULL, 0);
        uint64_t t1 = now_ns();
        if (st != (w->dry_run ? 204 : 200)) {
            w->errors++;
            if (st < 0) break;
            continue;
        }
        w->lat[w->n++] = t1 - t0;
    }
    close(c->fd);
    free(c);
    return NULL;
}

static int warm(int port, int conc, double seconds, int dry_run)
{
    /* Warm up: one environment per client, started before measuring. */
    worker_t *w = calloc((size_t)conc, sizeof *w);
    pthread_t *t = calloc((size_t)conc, sizeof *t);
    for (int pass = 0; pass < 2; pass++) {
        uint64_t until = now_ns() + (uint64_t)((pass ? seconds : 0.5) * 1e9);
        for (int i = 0; i < conc; i++) {
            free(w[i].lat);
            w[i] = (worker_t){.port = port, .until = until, .cap = 5000000, .dry_run = dry_run};
            w[i].lat = malloc(w[i].cap * sizeof(uint64_t));
            pthread_create(&t[i], NULL, warm_loop, &w[i]);
        }
        for (int i = 0; i < conc; i++) pthread_join(t[i], NULL);
    }
    size_t total = 0;
    int errors = 0;
    for (int i = 0; i < conc; i++) {
        total += w[i].n;
        errors += w[i].errors;
    }
    uint64_t *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    double sum = 0;
    for (int i = 0; i < conc; i++)
        for (size_t j = 0; j < w[i].n; j++) {
            all[k++] = w[i].lat[j];
            sum += (double)w[i].lat[j];
        }
    qsort(all, total, sizeof *all, cmp_u64);
    if (total) {
        printf("%s  concurrency=%d  invokes=%zu  errors=%d  invokes/s=%.0f  p50=%.1f us  "
               "p99=%.1f us  mean=%.1f us\n",
               dry_run ? "dryrun" : "warm ", conc, total, errors, (double)total / seconds,
               (double)all[total / 2] / 1e3, (double)all[(size_t)((double)total * 0.99)] / 1e3,
               sum / (double)total / 1e3);
    } else {
        printf("warm  concurrency=%d  no successful invokes (errors=%d)\n", conc, errors);
    }
    for (int i = 0; i < conc; i++) free(w[i].lat);
    free(all);
    free(w);
    free(t);
    return total ? 0 : 1;
}

/* The decoded log tail into out (cap bytes), NUL-terminated. */
static void decode_tail(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    char *d = base64_decode(in, strlen(in), &n);
    out[0] = '\0';
    if (!d) return;
    if (n >= cap) n = cap - 1;
    memcpy(out, d, n);
    out[n] = '\0';
    free(d);
}

static int cold(int port, int count)
{
    conn_t *c = malloc(sizeof *c);
    if (!c || conn_open(c, port) != 0) {
        fprintf(stderr, "cannot connect\n");
        return 1;
    }
    char body[512], log64[8192], log[8192];
    double *over = calloc((size_t)count, sizeof *over), *init = calloc((size_t)count, sizeof *init);
    double *own = calloc((size_t)count, sizeof *own),
           *client = calloc((size_t)count, sizeof *client);
    int n = 0;
    /* Retire whatever environment is warm. */
    invoke(c, "{\"action\":\"crash\",\"code\":0}", 0, body, sizeof body, NULL, 0);
    for (int i = 0; i < count; i++) {
        log64[0] = '\0';
        uint64_t t0 = now_ns();
        int st = invoke(c, "{\"action\":\"init_time\"}", 1, body, sizeof body, log64, sizeof log64);
        uint64_t t1 = now_ns();
        decode_tail(log64, log, sizeof log);
        const char *p = strstr(log, "Init Duration: ");
        const char *q = strstr(body, "\"own_init_us\":");
        if (st == 200 && p && q) {
            init[n] = strtod(p + 15, NULL);
            own[n] = strtod(q + 14, NULL) / 1000.0;
            over[n] = init[n] - own[n];
            client[n] = (double)(t1 - t0) / 1e6;
            n++;
        }
        invoke(c, "{\"action\":\"crash\",\"code\":0}", 0, body, sizeof body, NULL, 0);
    }
    close(c->fd);
    free(c);
    if (!n) {
        printf("cold  no cold starts measured\n");
        return 1;
    }
    double *arrs[] = {init, own, over, client};
    double med[4];
    for (int a = 0; a < 4; a++) {
        double *v = arrs[a];
        for (int i = 1; i < n; i++) /* insertion sort: n is small */
            for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
                double x = v[j];
                v[j] = v[j - 1];
                v[j - 1] = x;
            }
        med[a] = v[n / 2];
    }
    printf("cold  starts=%d  median: Init Duration=%.2f ms  runtime's own init=%.2f ms  "
           "emulator overhead=%.2f ms (p90 %.2f ms)  cold invoke seen by the client=%.2f ms\n",
           n, med[0], med[1], med[2], over[(int)(n * 0.9)], med[3]);
    free(over);
    free(init);
    free(own);
    free(client);
    return 0;
}

static int spawn_cost(const char *path, int count)
{
    double *v = calloc((size_t)count, sizeof *v);
    int n = 0;
    for (int i = 0; i < count; i++) {
        char *argv[] = {(char *)path, NULL};
        char *envp[] = {NULL};
        pid_t pid;
        int fd = open("/dev/null", O_WRONLY);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fd, 2);
        uint64_t t0 = now_ns();
        if (posix_spawn(&pid, path, &fa, NULL, argv, envp) == 0) {
            waitpid(pid, NULL, 0);
            v[n++] = (double)(now_ns() - t0) / 1e6;
        }
        posix_spawn_file_actions_destroy(&fa);
        close(fd);
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    if (n)
        printf("spawn runtime process start alone (posix_spawn -> exit): median %.2f ms\n",
               v[n / 2]);
    free(v);
    return n ? 0 : 1;
}

static int rss(long pid)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *r = strstr(buf, "VmRSS:"), *h = strstr(buf, "VmHWM:");
    printf("rss   emulator VmRSS=%.1f MB  VmHWM=%.1f MB\n", r ? atof(r + 6) / 1024 : -1.0,
           h ? atof(h + 6) / 1024 : -1.0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "warm") == 0)
        return warm(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), 0);
    if (argc >= 5 && strcmp(argv[1], "dryrun") == 0)
        return warm(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), 1);
    if (argc >= 4 && strcmp(argv[1], "cold") == 0) return cold(atoi(argv[2]), atoi(argv[3]));
    if (argc >= 3 && strcmp(argv[1], "rss") == 0) return rss(atol(argv[2]));
    if (argc >= 4 && strcmp(argv[1], "spawn") == 0) return spawn_cost(argv[2], atoi(argv[3]));
    fprintf(stderr,
            "usage: bench-emulator warm|dryrun PORT CONCURRENCY SECONDS | cold PORT COUNT | "
            "spawn RUNTIME COUNT | rss PID\n");
    return 2;
}
