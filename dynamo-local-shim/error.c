#include "error.h"

#include <stdio.h>

static const struct {
    const char *name;
    const char *ns;
    unsigned status;
} rows[DDB_E_COUNT] = {
    [DDB_OK] = {"", "", 200},
    [DDB_E_VALIDATION] = {"ValidationException", "com.amazon.coral.validate", 400},
    [DDB_E_SERIALIZATION] = {"SerializationException", "com.amazon.coral.service", 400},
    [DDB_E_UNKNOWN_OPERATION] = {"UnknownOperationException", "com.amazon.coral.service", 400},
    [DDB_E_RESOURCE_NOT_FOUND] = {"ResourceNotFoundException", "com.amazonaws.dynamodb.v20120810",
                                  400},
    [DDB_E_RESOURCE_IN_USE] = {"ResourceInUseException", "com.amazonaws.dynamodb.v20120810", 400},
    [DDB_E_CONDITIONAL_CHECK_FAILED] = {"ConditionalCheckFailedException",
                                        "com.amazonaws.dynamodb.v20120810", 400},
    [DDB_E_LIMIT_EXCEEDED] = {"LimitExceededException", "com.amazonaws.dynamodb.v20120810", 400},
    [DDB_E_REQUEST_TOO_LARGE] = {"RequestEntityTooLarge", "com.amazon.coral.service", 413},
    [DDB_E_INTERNAL_FAILURE] = {"InternalFailure", "com.amazon.coral.service", 500},
};

const char *ddb_code_name(ddb_code_t code) { return rows[code].name; }
const char *ddb_code_namespace(ddb_code_t code) { return rows[code].ns; }
unsigned ddb_code_status(ddb_code_t code) { return rows[code].status; }

ddb_code_t ddb_fail(ddb_error_t *err, ddb_code_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}
