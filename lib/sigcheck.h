/* sigcheck: a server's side of SigV4 — the credentials it knows and the
 * check of one request against them: a signature by a known credential
 * (with its session token when it has one), over the request as received,
 * dated within 15 minutes of the server's clock, scoped to the server's
 * region and service. Each failure is a result and a message in AWS's words;
 * how a service wraps them (status, error document) is the caller's.
 *
 * A sigcheck_t owns its credentials; sigcheck_free accepts NULL.
 */
#ifndef SIGCHECK_H
#define SIGCHECK_H

#include "httpd.h"

#include <stddef.h>
#include <time.h>

typedef struct sigcheck sigcheck_t;

typedef enum sigcheck_err {
    SIGCHECK_OK = 0,
    SIGCHECK_ERR_FILE,   /* loading: the credentials file cannot be read */
    SIGCHECK_ERR_SYNTAX, /* loading: a line is not ACCESS_KEY_ID SECRET [TOKEN] */
    SIGCHECK_ERR_NOMEM
} sigcheck_err_t;
const char *sigcheck_strerror(sigcheck_err_t err);

/* What a request's check found. */
typedef enum sigcheck_result {
    SIGCHECK_VALID = 0,
    SIGCHECK_MISSING,      /* no Authorization header: MissingAuthenticationToken */
    SIGCHECK_INCOMPLETE,   /* malformed header or no X-Amz-Date: IncompleteSignature */
    SIGCHECK_INVALID,      /* wrong signature, scope or date: InvalidSignature */
    SIGCHECK_UNRECOGNIZED, /* unknown key or token: UnrecognizedClient */
    SIGCHECK_OUT_OF_MEMORY
} sigcheck_result_t;

sigcheck_t *sigcheck_new(const char *region, const char *service);
void sigcheck_free(sigcheck_t *c);
/* Adds one credential; token NULL for long-term keys. */
sigcheck_err_t sigcheck_add(sigcheck_t *c, const char *access_key_id, const char *secret,
                            const char *token);
/* Loads credentials from a file: one per line, "ACCESS_KEY_ID SECRET
 * [SESSION_TOKEN]"; blank lines and lines starting with # are skipped.
 * *line is set to the offending line on SIGCHECK_ERR_SYNTAX. */
sigcheck_err_t sigcheck_load(sigcheck_t *c, const char *path, int *line);

/* The servers' --auth options in one place: mode "none" (*out NULL) or
 * "strict" with credentials from file and/or the akid/secret[/token] triple.
 * Returns 0, or -1 with a message in why (cap bytes). */
int sigcheck_from_options(const char *mode, const char *file, const char *akid, const char *secret,
                          const char *token, const char *region, const char *service,
                          sigcheck_t **out, char *why, size_t cap);

/* The usage lines of those options, for --help. */
#define SIGCHECK_USAGE                                                                             \
    "  --auth MODE           none (default: any signature or none passes) or strict:\n"            \
    "                        every request must be SigV4-signed, within 15 minutes, by a\n"        \
    "                        credential given below; failures get AWS's errors\n"                  \
    "  --credentials FILE    credentials for --auth strict, one per line:\n"                       \
    "                        ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN]\n"                    \
    "  --access-key-id ID --secret-access-key KEY [--session-token TOKEN]\n"                       \
    "                        one credential for --auth strict, from the command line\n"

typedef struct sigcheck_header {
    const char *name, *value;
} sigcheck_header_t;

/* Checks one request; on failure writes AWS's message into msg (cap bytes).
 * target is the request target as received (path and query, not decoded):
 * clients sign the path as they sent it, encoded once more, as every
 * service but S3 wants. */
sigcheck_result_t sigcheck_request(const sigcheck_t *c, const char *method, const char *target,
                                   const sigcheck_header_t *headers, size_t nheaders,
                                   const char *body, size_t len, time_t now, char *msg, size_t cap);
/* sigcheck_request for a request as httpd received it: its method, target
 * and headers (up to SIGV4_MAX_HEADERS of them), with the body given. */
sigcheck_result_t sigcheck_httpd(const sigcheck_t *c, const httpd_req_t *req, const char *body,
                                 size_t len, time_t now, char *msg, size_t cap);

#endif
