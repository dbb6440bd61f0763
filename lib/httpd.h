/* httpd: the one seam over libmicrohttpd.
 *
 * A server calls one handler per complete request (headers and body read).
 * The handler answers with httpd_respond(), either before it returns or later
 * (a long poll): a request left unanswered when the handler returns is
 * suspended, costs no thread, and is resumed by the httpd_respond() call that
 * answers it, from any thread.
 *
 * Ownership: a request belongs to the server. It stays valid until it has
 * been answered (and, for a deferred request, until httpd_respond returns).
 * Bodies are capped when the server is created: a request whose body is
 * larger is still handed to the handler, with its body dropped and
 * httpd_req_body_too_large() true, so the caller words the error its own way.
 * httpd never interprets bodies and never answers on its own, except 500 for a
 * request the handler could not answer for lack of memory.
 */
#ifndef HTTPD_H
#define HTTPD_H

#include <stddef.h>
#include <stdint.h>

typedef struct httpd httpd_t;
typedef struct httpd_req httpd_req_t;

typedef void (*httpd_handler_fn)(void *ctx, httpd_req_t *req);

typedef struct httpd_config {
    const char *host; /* numeric IPv4 address; NULL means 127.0.0.1 */
    uint16_t port;    /* 0 picks a free port: see httpd_port() */
    size_t max_body;  /* bodies above this are dropped (see above) */
    unsigned threads; /* 0 or 1: one polling thread; more: a pool */
    httpd_handler_fn handler;
    void *ctx;
} httpd_config_t;

typedef struct httpd_header {
    const char *name;
    const char *value;
} httpd_header_t;

typedef enum httpd_err {
    HTTPD_OK = 0,
    HTTPD_ERR_ADDRESS, /* host is not a numeric IPv4 address */
    HTTPD_ERR_LISTEN,  /* the address could not be bound (in use, denied) */
    HTTPD_ERR_NOMEM,
    HTTPD_ERR_STATE, /* the request was already answered */
    HTTPD_ERR_SOCKET /* httpd_adopt: not a connected socket */
} httpd_err_t;

const char *httpd_strerror(httpd_err_t err);

/* Starts listening and serving. *out is set only on success. */
httpd_err_t httpd_start(const httpd_config_t *cfg, httpd_t **out);
/* The port actually bound. */
uint16_t httpd_port(const httpd_t *srv);
/* Stops serving and closes every connection. Deferred requests must have
 * been answered first. Accepts NULL. */
void httpd_stop(httpd_t *srv);

const char *httpd_req_method(const httpd_req_t *req);
/* The path without the query string, percent-decoded. */
const char *httpd_req_path(const httpd_req_t *req);
/* The request target as the client sent it: the path and the query
 * string, nothing decoded (what SigV4 signs). */
const char *httpd_req_target(const httpd_req_t *req);
/* Case-insensitive header lookup; NULL when absent. */
const char *httpd_req_header(const httpd_req_t *req, const char *name);
/* Calls fn for every request header, in the order received; stops early
 * when fn returns nonzero. Returns how many were visited. */
typedef int (*httpd_header_fn)(void *ctx, const char *name, const char *value);
size_t httpd_req_each_header(const httpd_req_t *req, httpd_header_fn fn, void *ctx);
/* Query-string argument; NULL when absent. */
const char *httpd_req_query(const httpd_req_t *req, const char *name);
/* The body, NUL-terminated (the terminator is not counted in *len). */
const char *httpd_req_body(const httpd_req_t *req, size_t *len);
int httpd_req_body_too_large(const httpd_req_t *req);
/* The caller's own per-request pointer. */
void httpd_req_set_data(httpd_req_t *req, void *data);
void *httpd_req_data(const httpd_req_t *req);

/* Hands an accepted TCP connection (fd) to the server, which then serves it
 * like its own, on its thread: a caller can listen on several ports and have
 * one server answer them all. Takes ownership of fd, also on failure. */
httpd_err_t httpd_adopt(httpd_t *srv, int fd);
/* The local port the request's connection came in on (0 if unknown). */
uint16_t httpd_req_local_port(const httpd_req_t *req);

/* Answers a request. Takes ownership of body (malloc'd, or NULL with len 0),
 * also on failure. Header strings are copied. */
httpd_err_t httpd_respond(httpd_req_t *req, unsigned status, const httpd_header_t *headers,
                          size_t nheaders, char *body, size_t len);

#endif
