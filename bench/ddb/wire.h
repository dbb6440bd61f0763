/* wire: one keep-alive HTTP/1.1 connection to a DynamoDB endpoint, over
 * libcurl.
 *
 * A wire_request (operation name, JSON body, headers) is built once and sent
 * as often as wanted, so sending costs the client little. Requests carry the
 * DynamoDB JSON protocol headers and an Authorization header with SigV4's
 * shape but a dummy signature: the servers under test check that one is
 * present, not what it signs.
 *
 * Ownership: a connection owns the answer's body; it is valid until the next
 * wire_send or wire_close. Bodies are capped at WIRE_BODY_CAP: a larger
 * answer fails the send. wire never retries, never follows redirects and never
 * parses JSON. Every *_free / wire_close accepts NULL.
 */
#ifndef BENCH_DDB_WIRE_H
#define BENCH_DDB_WIRE_H

#include <stddef.h>

#define WIRE_BODY_CAP (16u << 20) /* DynamoDB pages are 1 MB; 16 leaves room */

typedef enum wire_err {
    WIRE_OK = 0,
    WIRE_ENOMEM,
    WIRE_EINIT,     /* libcurl could not be set up */
    WIRE_ETRANSFER, /* connect, send or receive failed or timed out (see wire_detail) */
    WIRE_ETOOBIG,   /* the answer's body was larger than WIRE_BODY_CAP */
} wire_err_t;

const char *wire_strerror(wire_err_t err);

typedef struct wire_conn wire_conn_t;
typedef struct wire_request wire_request_t;

/* Initializes libcurl for the process; call once before any other function. */
wire_err_t wire_global_init(void);

/* A connection to base_url ("http://127.0.0.1:8000"); nothing is sent yet.
 * timeout_ms bounds each request. *out is set only on success. */
wire_err_t wire_open(const char *base_url, long timeout_ms, wire_conn_t **out);
void wire_close(wire_conn_t *conn);

/* A POST / with X-Amz-Target DynamoDB_20120810.<operation>, or with operation
 * NULL a GET / (body ignored) -- DynamoDB's health check, the cheapest answer
 * a server gives. operation and body are copied. *out is set only on
 * success. */
wire_err_t wire_request_new(const char *operation, const char *body, wire_request_t **out);
void wire_request_free(wire_request_t *req);

/* Sends req and reads the whole answer; *status is the HTTP status, set only
 * on success. */
wire_err_t wire_send(wire_conn_t *conn, const wire_request_t *req, long *status);
/* The last answer's body, NUL-terminated; *len excludes the terminator. */
const char *wire_body(const wire_conn_t *conn, size_t *len);
/* libcurl's words for the last failure, or "". */
const char *wire_detail(const wire_conn_t *conn);
/* How many TCP connections this connection object has opened so far: 1 when
 * the server kept the connection alive throughout. */
long wire_connects(const wire_conn_t *conn);

/* One GET / on a fresh connection: WIRE_OK as soon as the server answers
 * anything HTTP (any status). Used to time start-up. */
wire_err_t wire_probe(const char *base_url, long timeout_ms);

#endif
