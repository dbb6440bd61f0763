/* ddb_request: see ddb_request.h. */
#include "ddb_request.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"

#define CONTENT_TYPE "application/x-amz-json-1.0"
#define TARGET_PREFIX "DynamoDB_20120810."

static char *join(const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 3;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s: %s", name, value);
    return s;
}

void ddb_request_free(ddb_request_t *req)
{
    if (!req) return;
    for (size_t i = 0; i < req->n_lines; i++) free(req->lines[i]);
    free(req->authorization);
    memset(req, 0, sizeof *req);
}

ddb_err_t ddb_request_build(const ddb_config_t *cfg, const char *amz_date, const char *operation,
                            const char *body, size_t body_len, ddb_signing_cache_t *cache,
                            ddb_request_t *out)
{
    ddb_err_t err = DDB_OK;
    ddb_request_t r = {0};
    char target[128], sig[SIGV4_HEX_LEN];
    char *creq = NULL, *signed_headers = NULL, *sts = NULL;
    unsigned char key[32];
    if (!cfg || !amz_date || !operation || (!body && body_len) || !out ||
        (size_t)snprintf(target, sizeof target, TARGET_PREFIX "%s", operation) >= sizeof target)
        return DDB_ERR_CONFIG;

    sigv4_header_t hs[5];
    size_t nh = 0;
    hs[nh++] = (sigv4_header_t){"Host", cfg->host};
    hs[nh++] = (sigv4_header_t){"Content-Type", CONTENT_TYPE};
    hs[nh++] = (sigv4_header_t){"X-Amz-Date", amz_date};
    hs[nh++] = (sigv4_header_t){"X-Amz-Target", target};
    if (cfg->session_token) hs[nh++] = (sigv4_header_t){"X-Amz-Security-Token", cfg->session_token};

    sigv4_request_t sr = {.method = "POST",
                          .path = cfg->path,
                          .headers = hs,
                          .n_headers = nh,
                          .body = body ? body : "",
                          .body_len = body_len};
    sigv4_scope_t scope = {.amz_date = amz_date, .region = cfg->region, .service = "dynamodb"};
    if (sigv4_canonical_request(&sr, &creq, &signed_headers) != SIGV4_OK ||
        sigv4_string_to_sign(&scope, creq, &sts) != SIGV4_OK) {
        err = DDB_ERR_SIGN;
        goto out;
    }
    if (cache && strncmp(cache->date, amz_date, 8) == 0 &&
        strcmp(cache->region, cfg->region) == 0) {
        memcpy(key, cache->key, 32);
    } else {
        if (sigv4_signing_key(cfg->secret_access_key, &scope, key) != SIGV4_OK) {
            err = DDB_ERR_SIGN;
            goto out;
        }
        if (cache && strlen(cfg->region) < sizeof cache->region) {
            memcpy(cache->date, amz_date, 8);
            cache->date[8] = '\0';
            strcpy(cache->region, cfg->region);
            memcpy(cache->key, key, 32);
        }
    }
    if (sigv4_signature(key, sts, sig) != SIGV4_OK) {
        err = DDB_ERR_SIGN;
        goto out;
    }
    sigv4_err_t se =
        sigv4_authorization(&scope, cfg->access_key_id, signed_headers, sig, &r.authorization);
    if (se != SIGV4_OK) {
        err = se == SIGV4_ERR_NOMEM ? DDB_ERR_NOMEM : DDB_ERR_SIGN;
        goto out;
    }
    for (size_t i = 0; i < nh; i++) {
        if (!(r.lines[r.n_lines] = join(hs[i].name, hs[i].value))) {
            err = DDB_ERR_NOMEM;
            goto out;
        }
        r.n_lines++;
    }
    if (!(r.lines[r.n_lines] = join("Authorization", r.authorization))) {
        err = DDB_ERR_NOMEM;
        goto out;
    }
    r.n_lines++;
    *out = r;
    memset(&r, 0, sizeof r);
out:
    OPENSSL_cleanse(key, sizeof key);
    ddb_request_free(&r);
    free(creq);
    free(signed_headers);
    free(sts);
    return err;
}
