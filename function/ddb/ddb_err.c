/* ddb_err: see ddb_err.h. */
#include "ddb_err.h"

const char *ddb_strerror(ddb_err_t err)
{
    switch (err) {
    case DDB_OK: return "ok";
    case DDB_ERR_CONFIG: return "DynamoDB client configuration is incomplete";
    case DDB_ERR_NOMEM: return "out of memory";
    case DDB_ERR_TRANSPORT: return "could not reach the DynamoDB endpoint";
    case DDB_ERR_SERVICE: return "DynamoDB returned an error";
    case DDB_ERR_CRC32: return "response x-amz-crc32 does not match its body";
    case DDB_ERR_TOOBIG: return "DynamoDB response too large";
    case DDB_ERR_PROTOCOL: return "malformed DynamoDB response";
    case DDB_ERR_SIGN: return "SigV4 signing failed";
    }
    return "unknown ddb error";
}
