/* ddb_err: the one error type of the DynamoDB client layer (ddb_*).
 *
 * DDB_ERR_SERVICE means DynamoDB answered with an error document: its type
 * ("ResourceNotFoundException") and message are in the ddb_response_t. Every
 * other code is the client's own failure, described by ddb_strerror() and,
 * for transport failures, by the response's error_message (libcurl's words).
 */
#ifndef DDB_ERR_H
#define DDB_ERR_H

typedef enum ddb_err {
    DDB_OK = 0,
    DDB_ERR_CONFIG,    /* no region, no credentials, bad endpoint URL */
    DDB_ERR_NOMEM,     /* allocation failed */
    DDB_ERR_TRANSPORT, /* connect, TLS, timeout or broken connection */
    DDB_ERR_SERVICE,   /* DynamoDB returned an error document */
    DDB_ERR_CRC32,     /* x-amz-crc32 did not match the body, on every attempt */
    DDB_ERR_TOOBIG,    /* a response above DDB_MAX_RESPONSE */
    DDB_ERR_PROTOCOL,  /* an answer that is not DynamoDB's JSON protocol */
    DDB_ERR_SIGN       /* SigV4 signing failed */
} ddb_err_t;

const char *ddb_strerror(ddb_err_t err);

#endif
