/* httpd: libmicrohttpd behind a small request/response interface. */
#include "httpd.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct httpd {
    struct MHD_Daemon *daemon;
    httpd_handler_fn handler;
    void *ctx;
    size_t max_body;
    uint16_t port;
    pthread_mutex_t lock; /* guards every request's state and pending */
};

enum req_state { REQ_READING, REQ_IN_HANDLER, REQ_SUSPENDED, REQ_DONE };

struct httpd_req {
    httpd_t *srv;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    char *target; /* as received: path and query, not decoded */
    int started;  /* the access handler has seen the request */
    char *body;
    size_t len, cap;
    int too_large;
    enum req_state state;
    struct MHD_Response *pending;
    unsigned pending_status;
    void *data;
};

const char *httpd_strerror(httpd_err_t err)
{
    switch (err) {
    case HTTPD_OK: return "ok";
    case HTTPD_ERR_ADDRESS: return "not a numeric IPv4 address";
    case HTTPD_ERR_LISTEN: return "cannot listen on that address";
    case HTTPD_ERR_NOMEM: return "out of memory";
    case HTTPD_ERR_STATE: return "request already answered";
    case HTTPD_ERR_SOCKET: return "not a connected socket";
    }
    return "unknown error";
}

static int body_append(httpd_req_t *req, const char *data, size_t n)
{
    if (req->too_large) return 0;
    if (req->len + n > req->srv->max_body) {
        req->too_large = 1;
        free(req->body);
        req->body = NULL;
        req->len = req->cap = 0;
        return 0;
    }
    if (req->len + n + 1 > req->cap) {
        size_t cap = req->cap ? req->cap : 4096;
        while (cap < req->len + n + 1) cap *= 2;
        char *p = realloc(req->body, cap);
        if (!p) return -1;
        req->body = p;
        req->cap = cap;
    }
    memcpy(req->body + req->len, data, n);
    req->len += n;
    req->body[req->len] = '\0';
    return 0;
}

static enum MHD_Result queue_pending(httpd_req_t *req)
{
    struct MHD_Response *resp = req->pending;
    req->pending = NULL;
    req->state = REQ_DONE;
    enum MHD_Result r = MHD_queue_response(req->conn, req->pending_status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* MHD's first look at a request, before it decodes anything: the request's
 * state is made here, to keep the target as the client sent it (SigV4 signs
 * the path as sent). What this returns is the request's con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    httpd_req_t *req = calloc(1, sizeof *req);
    if (!req) return NULL;
    req->srv = cls;
    if (!(req->target = strdup(uri ? uri : "/"))) {
        free(req);
        return NULL;
    }
    return req;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    httpd_t *srv = cls;
    httpd_req_t *req = *con_cls;
    (void)version;

    if (!req) return MHD_NO; /* on_uri ran out of memory */
    if (!req->started) {
        req->started = 1;
        req->conn = conn;
        req->method = method;
        req->path = url;
        return MHD_YES;
    }
    if (*upload_size) {
        if (body_append(req, upload, *upload_size) < 0) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }

    enum MHD_Result r = MHD_YES;
    pthread_mutex_lock(&srv->lock);
    if (req->state == REQ_SUSPENDED && req->pending) {
        r = queue_pending(req); /* resumed by a deferred answer */
        pthread_mutex_unlock(&srv->lock);
        return r;
    }
    if (req->state != REQ_READING) {
        pthread_mutex_unlock(&srv->lock);
        return MHD_YES;
    }
    req->state = REQ_IN_HANDLER;
    pthread_mutex_unlock(&srv->lock);

    if (!req->body && !req->too_large && body_append(req, "", 0) < 0) return MHD_NO;
    srv->handler(srv->ctx, req);

    pthread_mutex_lock(&srv->lock);
    if (req->pending) {
        r = queue_pending(req);
    } else {
        req->state = REQ_SUSPENDED;
        MHD_suspend_connection(conn);
    }
    pthread_mutex_unlock(&srv->lock);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    httpd_req_t *req = *con_cls;
    if (!req) return;
    if (req->pending) MHD_destroy_response(req->pending);
    free(req->target);
    free(req->body);
    free(req);
    *con_cls = NULL;
}

httpd_err_t httpd_start(const httpd_config_t *cfg, httpd_t **out)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(cfg->port);
    if (inet_pton(AF_INET, cfg->host ? cfg->host : "127.0.0.1", &addr.sin_addr) != 1)
        return HTTPD_ERR_ADDRESS;

    httpd_t *srv = calloc(1, sizeof *srv);
    if (!srv) return HTTPD_ERR_NOMEM;
    srv->handler = cfg->handler;
    srv->ctx = cfg->ctx;
    srv->max_body = cfg->max_body;
    pthread_mutex_init(&srv->lock, NULL);

    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO;
    unsigned pool = cfg->threads > 1 ? cfg->threads : 0;
    srv->daemon = MHD_start_daemon(
        flags, cfg->port, NULL, NULL, on_access, srv, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(32 * 1024), MHD_OPTION_CONNECTION_TIMEOUT, 0u, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        256u, pool ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, pool, MHD_OPTION_END);
    if (!srv->daemon) {
        pthread_mutex_destroy(&srv->lock);
        free(srv);
        return HTTPD_ERR_LISTEN;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : cfg->port;
    *out = srv;
    return HTTPD_OK;
}

uint16_t httpd_port(const httpd_t *srv) { return srv->port; }

void httpd_stop(httpd_t *srv)
{
    if (!srv) return;
    MHD_stop_daemon(srv->daemon);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

const char *httpd_req_method(const httpd_req_t *req) { return req->method; }
const char *httpd_req_path(const httpd_req_t *req) { return req->path; }
const char *httpd_req_target(const httpd_req_t *req) { return req->target; }

const char *httpd_req_header(const httpd_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

typedef struct each_ctx {
    httpd_header_fn fn;
    void *ctx;
    size_t n;
    int stopped;
} each_ctx_t;

static enum MHD_Result each_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    each_ctx_t *e = cls;
    e->n++;
    if (e->fn(e->ctx, key, value ? value : "")) {
        e->stopped = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

size_t httpd_req_each_header(const httpd_req_t *req, httpd_header_fn fn, void *ctx)
{
    each_ctx_t e = {fn, ctx, 0, 0};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, each_header, &e);
    return e.n;
}

const char *httpd_req_query(const httpd_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *httpd_req_body(const httpd_req_t *req, size_t *len)
{
    if (len) *len = req->len;
    return req->body ? req->body : "";
}

int httpd_req_body_too_large(const httpd_req_t *req) { return req->too_large; }
void httpd_req_set_data(httpd_req_t *req, void *data) { req->data = data; }
void *httpd_req_data(const httpd_req_t *req) { return req->data; }

httpd_err_t httpd_respond(httpd_req_t *req, unsigned status, const httpd_header_t *headers,
                          size_t nheaders, char *body, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return HTTPD_ERR_NOMEM;
    }
    for (size_t i = 0; i < nheaders; i++) {
        if (MHD_add_response_header(resp, headers[i].name, headers[i].value) != MHD_YES) {
            MHD_destroy_response(resp);
            return HTTPD_ERR_NOMEM;
        }
    }
    httpd_t *srv = req->srv;
    pthread_mutex_lock(&srv->lock);
    if (req->pending || req->state == REQ_DONE) {
        pthread_mutex_unlock(&srv->lock);
        MHD_destroy_response(resp);
        return HTTPD_ERR_STATE;
    }
    req->pending = resp;
    req->pending_status = status;
    if (req->state == REQ_SUSPENDED) MHD_resume_connection(req->conn);
    pthread_mutex_unlock(&srv->lock);
    return HTTPD_OK;
}

httpd_err_t httpd_adopt(httpd_t *srv, int fd)
{
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0) {
        close(fd);
        return HTTPD_ERR_SOCKET;
    }
    /* MHD closes the socket itself when it cannot take it. */
    if (MHD_add_connection(srv->daemon, fd, (struct sockaddr *)&peer, len) != MHD_YES)
        return HTTPD_ERR_NOMEM;
    return HTTPD_OK;
}

uint16_t httpd_req_local_port(const httpd_req_t *req)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!info) return 0;
    struct sockaddr_in local;
    socklen_t len = sizeof local;
    if (getsockname(info->connect_fd, (struct sockaddr *)&local, &len) != 0 ||
        local.sin_family != AF_INET)
        return 0;
    return ntohs(local.sin_port);
}
