/* sigv4: AWS Signature Version 4 (header form), both sides.
 *
 * The four steps are separate so a client can sign and a server can verify
 * with the same code: canonical request -> string to sign -> signing key ->
 * signature. sigv4_sign() chains them for a client and returns the value of
 * the Authorization header; a server rebuilds the canonical request from what
 * it received, recomputes the signature and compares it with
 * sigv4_signature_equal() (constant time).
 *
 * Paths are normalized as AWS does for every service but S3 (dot segments
 * removed, repeated slashes collapsed) and percent-encoded once from the
 * decoded path given. Query strings are decoded and re-encoded with the RFC
 * 3986 unreserved set, then sorted by name and value. Every header handed in
 * is signed; header values are trimmed and inner runs of blanks collapsed.
 *
 * Ownership: strings returned through out-parameters are malloc'd, belong to
 * the caller (free()), and are set only on success. sigv4 keeps no state,
 * never does I/O and never reads the clock: the caller gives the date.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stddef.h>

typedef enum sigv4_err {
    SIGV4_OK = 0,
    SIGV4_ERR_ARG,     /* a required argument is missing or malformed */
    SIGV4_ERR_NOMEM,   /* allocation failed */
    SIGV4_ERR_TOOBIG,  /* more headers or bytes than the caps below */
    SIGV4_ERR_CRYPTO,  /* libcrypto refused a digest or HMAC */
    SIGV4_ERR_MISMATCH /* verification: the signature does not match */
} sigv4_err_t;

const char *sigv4_strerror(sigv4_err_t err);

/* Caps on what a (possibly network-fed) request may bring to signing. */
#define SIGV4_MAX_HEADERS 128
#define SIGV4_MAX_TEXT (64 * 1024) /* path, query, header name or value */

/* Hex digests are 64 characters plus the terminating NUL. */
#define SIGV4_HEX_LEN 65

typedef struct sigv4_header {
    const char *name; /* any case; compared lowercased */
    const char *value;
} sigv4_header_t;

typedef struct sigv4_request {
    const char *method;            /* "POST" */
    const char *path;              /* decoded path, "/" if NULL or empty */
    const char *query;             /* without '?', NULL for none */
    const sigv4_header_t *headers; /* all of them are signed; Host included */
    size_t n_headers;              /* repeated names are joined with ',' */
    const char *payload_hash;      /* lowercase hex SHA-256 of the body, or */
    const void *body;              /* NULL: then computed from body/body_len */
    size_t body_len;
} sigv4_request_t;

typedef struct sigv4_scope {
    const char *amz_date; /* ISO 8601 basic: 20150830T123600Z */
    const char *region;   /* us-east-1 */
    const char *service;  /* dynamodb */
} sigv4_scope_t;

/* Lowercase hex SHA-256 of data. */
sigv4_err_t sigv4_sha256_hex(const void *data, size_t len, char out[SIGV4_HEX_LEN]);

/* Step 1. *out_creq is the canonical request; *out_signed (may be NULL if not
 * wanted) is the SignedHeaders list ("host;x-amz-date"). */
sigv4_err_t sigv4_canonical_request(const sigv4_request_t *req, char **out_creq, char **out_signed);

/* Step 2: "AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex(sha256(creq))>". */
sigv4_err_t sigv4_string_to_sign(const sigv4_scope_t *scope, const char *creq, char **out_sts);

/* Step 3: HMAC chain over "AWS4"+secret, date (first 8 chars of amz_date),
 * region, service, "aws4_request". The key can be cached for a day. */
sigv4_err_t sigv4_signing_key(const char *secret, const sigv4_scope_t *scope,
                              unsigned char out_key[32]);

/* Step 4: lowercase hex HMAC-SHA256(key, string to sign). */
sigv4_err_t sigv4_signature(const unsigned char key[32], const char *sts,
                            char out_sig[SIGV4_HEX_LEN]);

/* The Authorization header value from step 4's signature:
 * "AWS4-HMAC-SHA256 Credential=<akid>/<scope>, SignedHeaders=..., Signature=...".
 * The caller frees *out_authz. */
sigv4_err_t sigv4_authorization(const sigv4_scope_t *scope, const char *access_key_id,
                                const char *signed_headers, const char *sig, char **out_authz);

/* All four steps: *out_authz is the whole Authorization header value,
 * "AWS4-HMAC-SHA256 Credential=<akid>/<scope>, SignedHeaders=..., Signature=...".
 * The caller includes Host, X-Amz-Date (= scope->amz_date) and, with
 * temporary credentials, X-Amz-Security-Token among req->headers. */
sigv4_err_t sigv4_sign(const sigv4_request_t *req, const sigv4_scope_t *scope,
                       const char *access_key_id, const char *secret, char **out_authz);

/* A parsed Authorization header, for verification. */
typedef struct sigv4_authz {
    char access_key_id[129];
    char date[9]; /* YYYYMMDD of the credential scope */
    char region[65];
    char service[65];
    char signed_headers[2049]; /* "content-type;host;x-amz-date" */
    char signature[SIGV4_HEX_LEN];
} sigv4_authz_t;

/* Parses "AWS4-HMAC-SHA256 Credential=<akid>/<date>/<region>/<service>/
 * aws4_request, SignedHeaders=<list>, Signature=<64 hex>". SIGV4_ERR_ARG when
 * malformed, SIGV4_ERR_TOOBIG when a part is longer than its field. *out is
 * set only on success. */
sigv4_err_t sigv4_authz_parse(const char *value, sigv4_authz_t *out);

/* Server side: recomputes the signature of req (all headers received; only
 * those named in authz->signed_headers are used, and each must be present)
 * with the caller's secret for authz->access_key_id, and compares it in
 * constant time. amz_date is the request's X-Amz-Date; its day must be the
 * scope's. SIGV4_OK when it matches, SIGV4_ERR_MISMATCH when not; checking the
 * clock skew is the caller's business. */
sigv4_err_t sigv4_verify(const sigv4_request_t *req, const sigv4_authz_t *authz,
                         const char *amz_date, const char *secret);

/* Formats a UTC time (seconds since the epoch) as amz_date. */
void sigv4_format_date(long long epoch_seconds, char out[17]);

/* Constant-time comparison of two signatures; 1 when equal. */
int sigv4_signature_equal(const char *a, const char *b);

#endif
