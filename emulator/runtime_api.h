/* runtime_api: the Lambda Runtime API (2018-06-01) of one environment.
 *
 * Each execution environment gets its own listening port, so a request
 * needs no token to say which environment it comes from; one server thread
 * answers all of them (and the Invoke API), so an invoke crosses no thread.
 * This module routes the requests (rapi_route is pure and unit-tested),
 * words the Runtime API's own errors, and builds the /next answer with its
 * Lambda-Runtime-* headers. The invocation state machine lives in the
 * caller (the scheduler).
 *
 * Ownership: requests belong to httpd (see httpd.h); an op that does not
 * answer its request must keep it and answer it later (a long poll).
 */
#ifndef RUNTIME_API_H
#define RUNTIME_API_H

#include "httpd.h"

#include <stddef.h>
#include <stdint.h>

/* Lambda's limit on a response, as the Runtime API enforces it. */
#define RAPI_MAX_RESPONSE ((size_t)6291556)
#define RAPI_ID_MAX 64

typedef enum rapi_route {
    RAPI_NEXT,       /* GET  /2018-06-01/runtime/invocation/next */
    RAPI_RESPONSE,   /* POST /2018-06-01/runtime/invocation/{id}/response */
    RAPI_ERROR,      /* POST /2018-06-01/runtime/invocation/{id}/error */
    RAPI_INIT_ERROR, /* POST /2018-06-01/runtime/init/error */
    RAPI_NOT_FOUND,  /* no such route */
    RAPI_BAD_METHOD, /* a route, with the wrong method */
} rapi_route_t;

/* Routes a request; for RESPONSE and ERROR copies the request id to id. */
rapi_route_t rapi_route(const char *method, const char *path, char *id, size_t id_cap);

typedef enum rapi_err {
    RAPI_OK = 0,
    RAPI_ERR_LISTEN, /* no socket could be bound */
} rapi_err_t;

const char *rapi_strerror(rapi_err_t err);

/* A listening socket on host and a free port (non-blocking, close-on-exec)
 * for one environment. Its connections are accepted by the caller and
 * handed to the server that answers every Runtime API (httpd_adopt), which
 * tells environments apart by the port a request came in on. *fd and *port
 * are set only on success; the caller closes fd. */
rapi_err_t rapi_listen(const char *host, int *fd, uint16_t *port);

/* Whether a runtime's posted body is over Lambda's response limit. */
int rapi_body_too_large(const httpd_req_t *req);

/* One event for /next. Strings are copied by httpd; payload is taken. */
typedef struct rapi_event {
    const char *request_id;
    uint64_t deadline_ms; /* epoch ms */
    const char *function_arn;
    const char *trace_id;
    const char *client_context;   /* JSON or NULL */
    const char *cognito_identity; /* JSON or NULL */
    char *payload;
    size_t len;
} rapi_event_t;

httpd_err_t rapi_send_event(httpd_req_t *next, rapi_event_t *ev);
/* 202 {"status":"OK"} */
void rapi_reply_accepted(httpd_req_t *req);
/* {"errorMessage":msg,"errorType":type} with the given status. */
void rapi_reply_error(httpd_req_t *req, unsigned status, const char *type, const char *msg);

#endif
