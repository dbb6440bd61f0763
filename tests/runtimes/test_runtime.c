/* test-runtime: a tiny Lambda runtime that drives every path of the emulator.
 *
 * It speaks the Runtime API over one keep-alive connection. The event picks
 * what it does ({"action": ...}; no action means echo the event back):
 *   echo                      return the event
 *   sleep      "ms"           sleep, then return {"slept":ms}
 *   log        "text"         print text on stdout and stderr, return {"logged":true}
 *   error      "type","msg"   post an error document to /error
 *   crash      "code"|"signal" exit with that status, or raise that signal
 *   allocate   "mb"           touch that many MB, return {"allocated":mb}
 *   oversize   "bytes"        return a JSON string of that many bytes
 *   env                       return the whole environment as a JSON object
 *   twice                     respond, then respond again; return nothing more
 *                             (the second status is printed on stdout)
 *   stale                     respond to a made-up request id first and return
 *                             the status it got: {"stale_status":400}
 *   context                   return the Client-Context and function ARN headers
 *   pid                       return {"pid":getpid()}
 *   init_time                 return {"own_init_us":N}: main() to the first /next,
 *                             the runtime's own share of Init Duration
 *   cpu_quota                 return {"init":N,"now":M}: the CFS quota of its cpu
 *                             cgroup during init and now (-1: no cpu cgroup)
 * and the environment variable TEST_RUNTIME_INIT changes the init phase:
 *   fail      post to /init/error;  crash  exit(3) before the first /next;
 *   sleep:MS  sleep before the first /next;  log:TEXT  print during init.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int sock = -1;
static long own_init_us = -1;
static struct timespec t_main;
static char host[64];
static int port;

typedef struct resp {
    int status;
    char request_id[128];
    char client_context[1024];
    char arn[256];
    char *body;
    size_t len;
} resp_t;

static void die(const char *what)
{
    fprintf(stderr, "test-runtime: %s: %s\n", what, strerror(errno));
    exit(70);
}

static void connect_api(void)
{
    if (sock >= 0) close(sock);
    sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0) die("socket");
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(sock, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
}

static void send_all(const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(sock, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) die("send");
        p += w;
        n -= (size_t)w;
    }
}

/* Buffered reader over the socket. */
static char rbuf[65536];
static size_t rpos, rlen;

static int read_byte(void)
{
    if (rpos == rlen) {
        ssize_t n;
        do n = recv(sock, rbuf, sizeof rbuf, 0);
        while (n < 0 && errno == EINTR);
        if (n <= 0) return -1;
        rpos = 0;
        rlen = (size_t)n;
    }
    return (unsigned char)rbuf[rpos++];
}

static void header_value(const char *line, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) != 0 || line[n] != ':') return;
    const char *v = line + n + 1;
    while (*v == ' ') v++;
    snprintf(out, cap, "%s", v);
}

static void read_response(resp_t *r)
{
    char line[4096];
    size_t clen = 0;
    memset(r, 0, sizeof *r);
    for (int first = 1;; first = 0) {
        size_t n = 0;
        int c;
        while ((c = read_byte()) >= 0 && c != '\n')
            if (n + 1 < sizeof line && c != '\r') line[n++] = (char)c;
        if (c < 0) die("connection closed");
        line[n] = '\0';
        if (first) {
            r->status = atoi(line + 9);
            continue;
        }
        if (n == 0) break;
        char v[64] = "";
        header_value(line, "Content-Length", v, sizeof v);
        if (*v) clen = strtoul(v, NULL, 10);
        header_value(line, "Lambda-Runtime-Aws-Request-Id", r->request_id, sizeof r->request_id);
        header_value(line, "Lambda-Runtime-Client-Context", r->client_context,
                     sizeof r->client_context);
        header_value(line, "Lambda-Runtime-Invoked-Function-Arn", r->arn, sizeof r->arn);
    }
    r->body = malloc(clen + 1);
    if (!r->body) die("malloc");
    for (size_t i = 0; i < clen; i++) {
        int c = read_byte();
        if (c < 0) die("short body");
        r->body[i] = (char)c;
    }
    r->body[clen] = '\0';
    r->len = clen;
}

static int request(const char *method, const char *path, const char *extra, const char *body,
                   size_t len, resp_t *r)
{
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "%s /2018-06-01/runtime/%s HTTP/1.1\r\nHost: %s:%d\r\n%s"
                     "Content-Length: %zu\r\n\r\n",
                     method, path, host, port, extra ? extra : "", len);
    send_all(head, (size_t)n);
    if (len) send_all(body, len);
    read_response(r);
    return r->status;
}

static int post(const char *path, const char *extra, const char *body, size_t len)
{
    resp_t r;
    request("POST", path, extra, body, len, &r);
    free(r.body);
    return r.status;
}

static int respond(const char *id, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "invocation/%s/response", id);
    return post(path, NULL, body, strlen(body));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The CFS quota of this process's cpu cgroup, or -1. */
static long cpu_quota_us(void)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f) return -1;
    char line[512], path[600];
    long quota = -1;
    while (fgets(line, sizeof line, f)) {
        char *ctl = strchr(line, ':'), *dir = ctl ? strchr(ctl + 1, ':') : NULL;
        if (!dir) continue;
        *dir++ = '\0';
        dir[strcspn(dir, "\n")] = '\0';
        if (strcmp(ctl + 1, "cpu,cpuacct") != 0 && strcmp(ctl + 1, "cpu") != 0) continue;
        snprintf(path, sizeof path, "/sys/fs/cgroup/cpu%s/cpu.cfs_quota_us", dir);
        FILE *q = fopen(path, "re");
        if (q) {
            if (fscanf(q, "%ld", &quota) != 1) quota = -1;
            fclose(q);
        }
    }
    fclose(f);
    return quota;
}

static long init_quota_us = -1;

static void init_phase(void)
{
    const char *init = getenv("TEST_RUNTIME_INIT");
    if (!init) return;
    if (strcmp(init, "crash") == 0) exit(3);
    if (strncmp(init, "sleep:", 6) == 0) sleep_ms(atol(init + 6));
    if (strncmp(init, "log:", 4) == 0) {
        printf("%s\n", init + 4);
        fflush(stdout);
    }
    if (strcmp(init, "fail") == 0) {
        static const char doc[] =
            "{\"errorMessage\":\"init failed on purpose\",\"errorType\":\"Runtime.TestInitError\"}";
        post("init/error", "Lambda-Runtime-Function-Error-Type: Runtime.TestInitError\r\n", doc,
             sizeof doc - 1);
        /* Lambda kills the environment after an init error; wait for it. */
        for (;;) pause();
    }
}

static char *env_json(void)
{
    cJSON *o = cJSON_CreateObject();
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq) continue;
        char key[256];
        size_t n = (size_t)(eq - *e);
        if (n >= sizeof key) continue;
        memcpy(key, *e, n);
        key[n] = '\0';
        cJSON_AddStringToObject(o, key, eq + 1);
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static void handle(resp_t *ev)
{
    cJSON *doc = cJSON_ParseWithLength(ev->body, ev->len);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, "action");
    const char *action = cJSON_IsString(a) ? a->valuestring : "echo";
    char out[512];
    if (strcmp(action, "echo") == 0) {
        respond(ev->request_id, ev->body);
    } else if (strcmp(action, "sleep") == 0) {
        long ms = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "ms"));
        sleep_ms(ms);
        snprintf(out, sizeof out, "{\"slept\":%ld}", ms);
        respond(ev->request_id, out);
    } else if (strcmp(action, "log") == 0) {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "text"));
        printf("%s\n", t ? t : "");
        fflush(stdout);
        fprintf(stderr, "stderr: %s\n", t ? t : "");
        respond(ev->request_id, "{\"logged\":true}");
    } else if (strcmp(action, "error") == 0) {
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "type"));
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "msg"));
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "errorMessage", msg ? msg : "failed");
        cJSON_AddStringToObject(e, "errorType", type ? type : "Error");
        cJSON *st = cJSON_AddArrayToObject(e, "stackTrace");
        cJSON_AddItemToArray(st, cJSON_CreateString("at handle (test_runtime.c)"));
        char *s = cJSON_PrintUnformatted(e);
        cJSON_Delete(e);
        char path[256], hdr[256];
        snprintf(path, sizeof path, "invocation/%s/error", ev->request_id);
        snprintf(hdr, sizeof hdr, "Lambda-Runtime-Function-Error-Type: %s\r\n",
                 type ? type : "Error");
        post(path, hdr, s, strlen(s));
        free(s);
    } else if (strcmp(action, "crash") == 0) {
        const cJSON *sig = cJSON_GetObjectItem(doc, "signal");
        if (cJSON_IsNumber(sig)) {
            signal(sig->valueint, SIG_DFL);
            raise(sig->valueint);
        }
        exit((int)cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "code")));
    } else if (strcmp(action, "allocate") == 0) {
        long mb = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "mb"));
        for (long i = 0; i < mb; i++) {
            char *p = malloc(1 << 20);
            if (!p) break;
            memset(p, 1, 1 << 20); /* touched, so it is resident */
        }
        snprintf(out, sizeof out, "{\"allocated\":%ld}", mb);
        respond(ev->request_id, out);
    } else if (strcmp(action, "oversize") == 0) {
        size_t n = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "bytes"));
        char *big = malloc(n + 3);
        big[0] = '"';
        memset(big + 1, 'x', n);
        big[n + 1] = '"';
        big[n + 2] = '\0';
        int st = respond(ev->request_id, big);
        printf("oversize response status %d\n", st);
        fflush(stdout);
        free(big);
    } else if (strcmp(action, "env") == 0) {
        char *s = env_json();
        respond(ev->request_id, s);
        free(s);
    } else if (strcmp(action, "twice") == 0) {
        respond(ev->request_id, "{\"first\":true}");
        int st = respond(ev->request_id, "{\"second\":true}");
        printf("second response status %d\n", st);
        fflush(stdout);
    } else if (strcmp(action, "stale") == 0) {
        int st = respond("00000000-0000-0000-0000-000000000000", "{}");
        snprintf(out, sizeof out, "{\"stale_status\":%d}", st);
        respond(ev->request_id, out);
    } else if (strcmp(action, "cpu_quota") == 0) {
        snprintf(out, sizeof out, "{\"init\":%ld,\"now\":%ld}", init_quota_us, cpu_quota_us());
        respond(ev->request_id, out);
    } else if (strcmp(action, "init_time") == 0) {
        snprintf(out, sizeof out, "{\"own_init_us\":%ld}", own_init_us);
        respond(ev->request_id, out);
    } else if (strcmp(action, "pid") == 0) {
        snprintf(out, sizeof out, "{\"pid\":%ld}", (long)getpid());
        respond(ev->request_id, out);
    } else if (strcmp(action, "context") == 0) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "client_context", ev->client_context);
        cJSON_AddStringToObject(o, "arn", ev->arn);
        char *s = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        respond(ev->request_id, s);
        free(s);
    } else {
        respond(ev->request_id, "{\"unknown_action\":true}");
    }
    cJSON_Delete(doc);
}

int main(void)
{
    clock_gettime(CLOCK_MONOTONIC, &t_main);
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || sscanf(api, "%63[^:]:%d", host, &port) != 2) {
        fprintf(stderr, "test-runtime: AWS_LAMBDA_RUNTIME_API not set\n");
        return 64;
    }
    connect_api();
    init_quota_us = cpu_quota_us();
    init_phase();
    struct timespec t_next;
    clock_gettime(CLOCK_MONOTONIC, &t_next);
    own_init_us =
        (t_next.tv_sec - t_main.tv_sec) * 1000000L + (t_next.tv_nsec - t_main.tv_nsec) / 1000;
    for (;;) {
        resp_t ev;
        if (request("GET", "invocation/next", NULL, NULL, 0, &ev) != 200) {
            fprintf(stderr, "test-runtime: /next answered %d\n", ev.status);
            return 71;
        }
        handle(&ev);
        free(ev.body);
    }
}
