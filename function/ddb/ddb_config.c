/* ddb_config: see ddb_config.h. */
#include "ddb_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *env_default(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

/* The value of name, or NULL when unset or empty (the SDKs treat an empty
 * variable as unset). */
static const char *lookup(ddb_env_fn env, void *ctx, const char *name)
{
    const char *v = env(name, ctx);
    return v && *v ? v : NULL;
}

static int dup_to(char **dst, const char *src)
{
    if (!src) {
        *dst = NULL;
        return 1;
    }
    *dst = strdup(src);
    return *dst != NULL;
}

void ddb_config_free(ddb_config_t *cfg)
{
    if (!cfg) return;
    free(cfg->endpoint);
    free(cfg->host);
    free(cfg->path);
    free(cfg->region);
    free(cfg->access_key_id);
    if (cfg->secret_access_key) memset(cfg->secret_access_key, 0, strlen(cfg->secret_access_key));
    free(cfg->secret_access_key);
    free(cfg->session_token);
    free(cfg->ca_bundle);
    free(cfg);
}

ddb_err_t ddb_config_set_endpoint(ddb_config_t *cfg, const char *url)
{
    const char *rest;
    int tls;
    if (strncasecmp(url, "https://", 8) == 0) {
        tls = 1;
        rest = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        tls = 0;
        rest = url + 7;
    } else {
        return DDB_ERR_CONFIG;
    }
    size_t alen = strcspn(rest, "/?#");
    if (alen == 0 || memchr(rest, '@', alen)) return DDB_ERR_CONFIG;
    /* Drop a port that is the scheme's default, as HTTP clients do in Host. */
    size_t hlen = alen;
    const char *colon = NULL;
    for (size_t i = alen; i > 0; i--) {
        if (rest[i - 1] == ']') break;
        if (rest[i - 1] == ':') {
            colon = rest + i - 1;
            break;
        }
    }
    if (colon) {
        const char *port = colon + 1;
        size_t plen = alen - (size_t)(port - rest);
        if (plen == 0 || plen > 5 || strspn(port, "0123456789") < plen) return DDB_ERR_CONFIG;
        if ((tls && plen == 3 && memcmp(port, "443", 3) == 0) ||
            (!tls && plen == 2 && memcmp(port, "80", 2) == 0))
            hlen = (size_t)(colon - rest);
    }
    const char *p = rest + alen;
    size_t plen = strcspn(p, "?#");
    char *host = strndup(rest, hlen);
    char *path = plen ? strndup(p, plen) : strdup("/");
    char *endpoint = strdup(url);
    if (!host || !path || !endpoint) {
        free(host);
        free(path);
        free(endpoint);
        return DDB_ERR_NOMEM;
    }
    /* Trailing slash of the endpoint does not change the path DynamoDB sees. */
    free(cfg->host);
    free(cfg->path);
    free(cfg->endpoint);
    cfg->host = host;
    cfg->path = path;
    cfg->endpoint = endpoint;
    cfg->tls = tls;
    return DDB_OK;
}

ddb_err_t ddb_config_resolve(ddb_env_fn env, void *ctx, ddb_config_t **out, const char **why)
{
    const char *reason = NULL;
    ddb_err_t err = DDB_OK;
    if (!env) env = env_default;
    ddb_config_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg) return DDB_ERR_NOMEM;

    const char *region = lookup(env, ctx, "AWS_REGION");
    if (!region) region = lookup(env, ctx, "AWS_DEFAULT_REGION");
    if (!region) {
        err = DDB_ERR_CONFIG;
        reason = "no region: set AWS_REGION or AWS_DEFAULT_REGION";
        goto out;
    }
    const char *akid = lookup(env, ctx, "AWS_ACCESS_KEY_ID");
    const char *secret = lookup(env, ctx, "AWS_SECRET_ACCESS_KEY");
    if (!akid || !secret) {
        err = DDB_ERR_CONFIG;
        reason = "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
        goto out;
    }
    if (!dup_to(&cfg->region, region) || !dup_to(&cfg->access_key_id, akid) ||
        !dup_to(&cfg->secret_access_key, secret) ||
        !dup_to(&cfg->session_token, lookup(env, ctx, "AWS_SESSION_TOKEN")) ||
        !dup_to(&cfg->ca_bundle, lookup(env, ctx, "AWS_CA_BUNDLE"))) {
        err = DDB_ERR_NOMEM;
        goto out;
    }

    cfg->max_attempts = 3;
    const char *attempts = lookup(env, ctx, "AWS_MAX_ATTEMPTS");
    if (attempts) {
        char *end;
        long n = strtol(attempts, &end, 10);
        if (*end || n < 1 || n > 10) {
            err = DDB_ERR_CONFIG;
            reason = "AWS_MAX_ATTEMPTS must be a number from 1 to 10";
            goto out;
        }
        cfg->max_attempts = (int)n;
    }

    const char *ignore = lookup(env, ctx, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    const char *url = NULL;
    if (!ignore || strcasecmp(ignore, "true") != 0) {
        url = lookup(env, ctx, "AWS_ENDPOINT_URL_DYNAMODB");
        if (!url) url = lookup(env, ctx, "AWS_ENDPOINT_URL");
    }
    char built[256];
    if (!url) {
        const char *suffix = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
        if (strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(region) ||
            (size_t)snprintf(built, sizeof built, "https://dynamodb.%s.%s", region, suffix) >=
                sizeof built) {
            err = DDB_ERR_CONFIG;
            reason = "region is not a valid region name";
            goto out;
        }
        url = built;
    }
    err = ddb_config_set_endpoint(cfg, url);
    if (err == DDB_ERR_CONFIG) reason = "endpoint URL must be http://host[:port] or https://...";
out:
    if (err) {
        ddb_config_free(cfg);
        if (why) *why = reason ? reason : ddb_strerror(err);
        return err;
    }
    *out = cfg;
    return DDB_OK;
}
