/* ddb_config: where the DynamoDB client sends requests and as whom, resolved
 * from the environment the way the AWS SDKs and Lambda do it.
 *
 *   endpoint:    AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL, else
 *                https://dynamodb.<region>.amazonaws.com (".com.cn" for cn-
 *                regions); both variables are ignored when
 *                AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true".
 *   region:      AWS_REGION, else AWS_DEFAULT_REGION.
 *   credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *                (the three Lambda sets for the execution role).
 *   CA bundle:   AWS_CA_BUNDLE (a PEM file); NULL means libcurl's default.
 *   attempts:    AWS_MAX_ATTEMPTS (1..10), else 3 as in standard retry mode.
 *
 * The lookup is a function so tests resolve from a table instead of the
 * process environment. A ddb_config_t owns copies of every string; free it
 * with ddb_config_free(). ddb_config never does I/O.
 */
#ifndef DDB_CONFIG_H
#define DDB_CONFIG_H

#include "ddb_err.h"

typedef const char *(*ddb_env_fn)(const char *name, void *ctx);

typedef struct ddb_config {
    char *endpoint; /* "https://dynamodb.us-east-1.amazonaws.com" */
    char *host;     /* Host header value: host, plus ":port" if not default */
    char *path;     /* request path, "/" unless the endpoint names one */
    int tls;        /* 1 for https */
    char *region;
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL when not set */
    char *ca_bundle;     /* NULL when not set */
    int max_attempts;
} ddb_config_t;

/* Resolves from env (NULL env means getenv). On failure *out is untouched and
 * why (if not NULL) gets a one-line reason. */
ddb_err_t ddb_config_resolve(ddb_env_fn env, void *ctx, ddb_config_t **out, const char **why);

/* Splits an endpoint URL into host header and path; exposed for tests.
 * Only http and https are accepted. Returns DDB_ERR_CONFIG on a bad URL. */
ddb_err_t ddb_config_set_endpoint(ddb_config_t *cfg, const char *url);

/* Accepts NULL. */
void ddb_config_free(ddb_config_t *cfg);

#endif
