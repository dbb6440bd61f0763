/* error: DynamoDB's errors as data.
 *
 * Each error the server can answer is one row: its name, the namespace that
 * prefixes it in "__type", and its HTTP status. A ddb_error_t carries the row
 * and the message, formatted once where the error is found. Messages copy
 * DynamoDB's wording; they are capped, never allocated.
 */
#ifndef DDB_ERROR_H
#define DDB_ERROR_H

#include <stdarg.h>

typedef enum ddb_code {
    DDB_OK = 0,
    DDB_E_VALIDATION,
    DDB_E_SERIALIZATION,
    DDB_E_UNKNOWN_OPERATION,
    DDB_E_RESOURCE_NOT_FOUND,
    DDB_E_RESOURCE_IN_USE,
    DDB_E_CONDITIONAL_CHECK_FAILED,
    DDB_E_TRANSACTION_CANCELED,
    DDB_E_IDEMPOTENT_MISMATCH,
    DDB_E_MISSING_AUTH,
    DDB_E_INCOMPLETE_SIGNATURE,
    DDB_E_INVALID_SIGNATURE,
    DDB_E_UNRECOGNIZED_CLIENT,
    DDB_E_LIMIT_EXCEEDED,
    DDB_E_REQUEST_TOO_LARGE,
    DDB_E_INTERNAL_FAILURE,
    DDB_E_COUNT
} ddb_code_t;

typedef struct ddb_error {
    ddb_code_t code;
    char msg[4096]; /* empty: the error document has no message */
    char *extra;    /* malloc'd JSON members added to the error document, or NULL
                       (the Item of a failed condition); freed by its reader */
} ddb_error_t;

const char *ddb_code_name(ddb_code_t code);      /* "ValidationException" */
const char *ddb_code_namespace(ddb_code_t code); /* "com.amazon.coral.validate" */
unsigned ddb_code_status(ddb_code_t code);       /* 400 */
/* "message" or "Message", as the error document spells it. */
const char *ddb_code_message_member(ddb_code_t code);

/* Records an error and returns its code, so callers can `return ddb_fail(...)`. */
ddb_code_t ddb_fail(ddb_error_t *err, ddb_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
