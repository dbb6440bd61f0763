#include "error.h"

#include <stdio.h>

/* member: how the error document spells its message. */
static const struct {
    const char *name;
    const char *ns;
    unsigned status;
    const char *member;
} rows[DDB_E_COUNT] = {
#define COR "com.amazon.coral.service"
#define DDB "com.amazonaws.dynamodb.v20120810"
    [DDB_OK] = {"", "", 200, "message"},
    [DDB_E_VALIDATION] = {"ValidationException", "com.amazon.coral.validate", 400, "message"},
    [DDB_E_SERIALIZATION] = {"SerializationException", COR, 400, "Message"},
    [DDB_E_UNKNOWN_OPERATION] = {"UnknownOperationException", COR, 400, "Message"},
    [DDB_E_RESOURCE_NOT_FOUND] = {"ResourceNotFoundException", DDB, 400, "message"},
    [DDB_E_RESOURCE_IN_USE] = {"ResourceInUseException", DDB, 400, "message"},
    [DDB_E_CONDITIONAL_CHECK_FAILED] = {"ConditionalCheckFailedException", DDB, 400, "message"},
    [DDB_E_TRANSACTION_CANCELED] = {"TransactionCanceledException", DDB, 400, "Message"},
    [DDB_E_IDEMPOTENT_MISMATCH] = {"IdempotentParameterMismatchException", DDB, 400, "Message"},
    [DDB_E_MISSING_AUTH] = {"MissingAuthenticationTokenException", COR, 400, "message"},
    [DDB_E_INCOMPLETE_SIGNATURE] = {"IncompleteSignatureException", COR, 400, "message"},
    [DDB_E_INVALID_SIGNATURE] = {"InvalidSignatureException", COR, 400, "message"},
    [DDB_E_UNRECOGNIZED_CLIENT] = {"UnrecognizedClientException", COR, 400, "message"},
    [DDB_E_LIMIT_EXCEEDED] = {"LimitExceededException", DDB, 400, "message"},
    [DDB_E_REQUEST_TOO_LARGE] = {"RequestEntityTooLarge", COR, 413, "Message"},
    [DDB_E_INTERNAL_FAILURE] = {"InternalFailure", COR, 500, "Message"},
#undef COR
#undef DDB
};

const char *ddb_code_name(ddb_code_t code) { return rows[code].name; }
const char *ddb_code_namespace(ddb_code_t code) { return rows[code].ns; }
unsigned ddb_code_status(ddb_code_t code) { return rows[code].status; }
const char *ddb_code_message_member(ddb_code_t code) { return rows[code].member; }

ddb_code_t ddb_fail(ddb_error_t *err, ddb_code_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}
