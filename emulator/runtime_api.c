/* runtime_api: routes, errors and the /next answer of the Runtime API. */
#include "runtime_api.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "/2018-06-01/runtime/"

const char *rapi_strerror(rapi_err_t err)
{
    switch (err) {
    case RAPI_OK: return "ok";
    case RAPI_ERR_LISTEN: return "cannot listen for the Runtime API";
    }
    return "unknown error";
}

rapi_route_t rapi_route(const char *method, const char *path, char *id, size_t id_cap)
{
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (strncmp(path, PREFIX, sizeof PREFIX - 1) != 0) return RAPI_NOT_FOUND;
    const char *p = path + sizeof PREFIX - 1;
    if (strcmp(p, "invocation/next") == 0) return get ? RAPI_NEXT : RAPI_BAD_METHOD;
    if (strcmp(p, "init/error") == 0) return post ? RAPI_INIT_ERROR : RAPI_BAD_METHOD;
    if (strncmp(p, "invocation/", 11) != 0) return RAPI_NOT_FOUND;
    p += 11;
    const char *slash = strchr(p, '/');
    if (!slash || slash == p) return RAPI_NOT_FOUND;
    size_t n = (size_t)(slash - p);
    rapi_route_t r;
    if (strcmp(slash, "/response") == 0)
        r = RAPI_RESPONSE;
    else if (strcmp(slash, "/error") == 0)
        r = RAPI_ERROR;
    else
        return RAPI_NOT_FOUND;
    if (!post) return RAPI_BAD_METHOD;
    if (n >= id_cap) n = id_cap - 1; /* too long to be ours: compares unequal */
    memcpy(id, p, n);
    id[n] = '\0';
    return r;
}

rapi_err_t rapi_listen(const char *host, int *fd, uint16_t *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) return RAPI_ERR_LISTEN;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) return RAPI_ERR_LISTEN;
    socklen_t len = sizeof a;
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0) {
        close(s);
        return RAPI_ERR_LISTEN;
    }
    *fd = s;
    *port = ntohs(a.sin_port);
    return RAPI_OK;
}

int rapi_body_too_large(const httpd_req_t *req)
{
    size_t len;
    httpd_req_body(req, &len);
    return httpd_req_body_too_large(req) || len > RAPI_MAX_RESPONSE;
}

httpd_err_t rapi_send_event(httpd_req_t *next, rapi_event_t *ev)
{
    char deadline[32];
    snprintf(deadline, sizeof deadline, "%llu", (unsigned long long)ev->deadline_ms);
    httpd_header_t h[8];
    size_t n = 0;
    h[n++] = (httpd_header_t){"Content-Type", "application/json"};
    h[n++] = (httpd_header_t){"Lambda-Runtime-Aws-Request-Id", ev->request_id};
    h[n++] = (httpd_header_t){"Lambda-Runtime-Deadline-Ms", deadline};
    h[n++] = (httpd_header_t){"Lambda-Runtime-Invoked-Function-Arn", ev->function_arn};
    h[n++] = (httpd_header_t){"Lambda-Runtime-Trace-Id", ev->trace_id};
    if (ev->client_context)
        h[n++] = (httpd_header_t){"Lambda-Runtime-Client-Context", ev->client_context};
    if (ev->cognito_identity)
        h[n++] = (httpd_header_t){"Lambda-Runtime-Cognito-Identity", ev->cognito_identity};
    char *payload = ev->payload;
    ev->payload = NULL;
    return httpd_respond(next, 200, h, n, payload, ev->len);
}

static void reply_json(httpd_req_t *req, unsigned status, const char *json)
{
    static const httpd_header_t h[] = {{"Content-Type", "application/json"}};
    size_t n = strlen(json);
    char *body = malloc(n + 1);
    if (body) memcpy(body, json, n + 1);
    httpd_respond(req, status, h, 1, body, body ? n : 0);
}

void rapi_reply_accepted(httpd_req_t *req) { reply_json(req, 202, "{\"status\":\"OK\"}"); }

void rapi_reply_error(httpd_req_t *req, unsigned status, const char *type, const char *msg)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{\"errorMessage\":\"%s\",\"errorType\":\"%s\"}", msg, type);
    reply_json(req, status, buf);
}
