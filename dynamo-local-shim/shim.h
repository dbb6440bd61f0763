/* shim: the DynamoDB server's state (store and tables) and its operations.
 *
 * shim_handle() takes one request (operation name and body) and produces the
 * response: status, body and the error code, without any socket, so tests
 * and fuzzers drive it directly. One thread at a time.
 */
#ifndef SHIM_H
#define SHIM_H

#include "error.h"
#include "store.h"
#include "strbuf.h"
#include "table.h"

#include <cjson/cJSON.h>
#include <pthread.h>

#define SHIM_MAX_REQUEST (16 * 1024 * 1024)

/* A TransactWriteItems ClientRequestToken seen in the last 10 minutes. */
typedef struct shim_token {
    char token[40];
    unsigned long request_crc; /* of the request, to tell a retry from a reuse */
    size_t request_len;
    char *response; /* what the first call answered */
    long long at;   /* monotonic seconds */
} shim_token_t;

#define SHIM_TOKENS 256

typedef struct shim {
    pthread_mutex_t lock; /* one request (or expiry sweep) at a time */
    store_t *store;
    shim_token_t tokens[SHIM_TOKENS];
    table_t **tables;
    size_t ntables, cap;
    char region[32];
} shim_t;

typedef enum shim_err { SHIM_OK = 0, SHIM_ERR_STORE, SHIM_ERR_NOMEM } shim_err_t;
const char *shim_strerror(shim_err_t err);

/* db NULL: in memory. *out is set only on success. */
shim_err_t shim_open(const char *db, const char *region, shim_t **out);
void shim_close(shim_t *s); /* accepts NULL */

/* Answers one request. target is the X-Amz-Target header (may be NULL).
 * The response body is appended to out; returns the HTTP status. */
unsigned shim_handle(shim_t *s, const char *target, const char *body, size_t len, strbuf_t *out);

/* Writes the error document of err into out (replacing what it held) and
 * returns its HTTP status. */
unsigned shim_error(const ddb_error_t *err, strbuf_t *out);

/* Deletes items whose Time to Live has passed (a bounded number per call),
 * as DynamoDB's background process does; returns how many. Called about
 * once a second by the server. */
int shim_expire(shim_t *s);

/* Table registry, for the operations. */
table_t *shim_table(shim_t *s, const char *name);
int shim_table_add(shim_t *s, table_t *t);
void shim_table_remove(shim_t *s, table_t *t);

#endif
