/* auth: the strict SigV4 mode. Off by default (like DynamoDB Local, any
 * signature passes); with credentials loaded, every request must carry a
 * valid SigV4 signature by one of them, within 15 minutes of the server's
 * clock, and failures are answered with DynamoDB's errors
 * (MissingAuthenticationTokenException, IncompleteSignatureException,
 * InvalidSignatureException, UnrecognizedClientException).
 *
 * An auth_t owns its credentials; auth_free accepts NULL.
 */
#ifndef AUTH_H
#define AUTH_H

#include "error.h"

#include <stddef.h>
#include <time.h>

typedef struct auth auth_t;

typedef enum auth_err { AUTH_OK = 0, AUTH_ERR_FILE, AUTH_ERR_SYNTAX, AUTH_ERR_NOMEM } auth_err_t;
const char *auth_strerror(auth_err_t err);

auth_t *auth_new(const char *region);
void auth_free(auth_t *a);
/* Adds one credential; token NULL for long-term keys. */
auth_err_t auth_add(auth_t *a, const char *access_key_id, const char *secret, const char *token);
/* Loads credentials from a file: one per line, "ACCESS_KEY_ID SECRET
 * [SESSION_TOKEN]"; blank lines and lines starting with # are skipped.
 * *line is set to the offending line on AUTH_ERR_SYNTAX. */
auth_err_t auth_load(auth_t *a, const char *path, int *line);

typedef struct auth_header {
    const char *name, *value;
} auth_header_t;

/* Checks one request. DDB_OK when it is signed by a known credential. */
ddb_code_t auth_check(const auth_t *a, const char *method, const char *path,
                      const auth_header_t *headers, size_t nheaders, const char *body, size_t len,
                      time_t now, ddb_error_t *err);

#endif
