#define _GNU_SOURCE /* timegm */
#include "auth.h"

#include "sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AUTH_SKEW_SECONDS (15 * 60)

typedef struct credential {
    char *akid, *secret, *token;
} credential_t;

struct auth {
    char region[64];
    credential_t *creds;
    size_t n, cap;
};

const char *auth_strerror(auth_err_t err)
{
    switch (err) {
    case AUTH_OK: return "ok";
    case AUTH_ERR_FILE: return "cannot read the credentials file";
    case AUTH_ERR_SYNTAX: return "a line is not ACCESS_KEY_ID SECRET [SESSION_TOKEN]";
    case AUTH_ERR_NOMEM: return "out of memory";
    }
    return "unknown error";
}

auth_t *auth_new(const char *region)
{
    auth_t *a = calloc(1, sizeof *a);
    if (a) snprintf(a->region, sizeof a->region, "%s", region);
    return a;
}

void auth_free(auth_t *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n; i++) {
        free(a->creds[i].akid);
        free(a->creds[i].secret);
        free(a->creds[i].token);
    }
    free(a->creds);
    free(a);
}

auth_err_t auth_add(auth_t *a, const char *akid, const char *secret, const char *token)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        credential_t *p = realloc(a->creds, cap * sizeof *p);
        if (!p) return AUTH_ERR_NOMEM;
        a->creds = p;
        a->cap = cap;
    }
    credential_t c = {strdup(akid), strdup(secret), token ? strdup(token) : NULL};
    if (!c.akid || !c.secret || (token && !c.token)) {
        free(c.akid);
        free(c.secret);
        free(c.token);
        return AUTH_ERR_NOMEM;
    }
    a->creds[a->n++] = c;
    return AUTH_OK;
}

auth_err_t auth_load(auth_t *a, const char *path, int *line)
{
    FILE *f = fopen(path, "r");
    if (!f) return AUTH_ERR_FILE;
    char buf[4096];
    auth_err_t err = AUTH_OK;
    *line = 0;
    while (!err && fgets(buf, sizeof buf, f)) {
        (*line)++;
        char *save = NULL;
        char *akid = strtok_r(buf, " \t\r\n", &save);
        if (!akid || akid[0] == '#') continue;
        char *secret = strtok_r(NULL, " \t\r\n", &save);
        char *token = strtok_r(NULL, " \t\r\n", &save);
        if (!secret || strtok_r(NULL, " \t\r\n", &save)) {
            err = AUTH_ERR_SYNTAX;
            break;
        }
        err = auth_add(a, akid, secret, token);
    }
    fclose(f);
    return err;
}

static const char *header(const auth_header_t *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(h[i].name, name) == 0) return h[i].value;
    return NULL;
}

/* X-Amz-Date (20150830T123600Z) as epoch seconds; -1 when malformed. */
static time_t parse_amz_date(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
    if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static ddb_code_t incomplete(const char *authz, ddb_error_t *err)
{
    char why[512] = "";
    size_t k = 0;
    static const char *const parts[] = {"Credential", "Signature", "SignedHeaders"};
    for (int i = 0; i < 3; i++) {
        char probe[32];
        snprintf(probe, sizeof probe, "%s=", parts[i]);
        if (!strstr(authz, probe))
            k += (size_t)snprintf(why + k, sizeof why - k,
                                  "Authorization header requires '%s' parameter. ", parts[i]);
    }
    if (!k) snprintf(why, sizeof why, "Authorization header is malformed. ");
    return ddb_fail(err, DDB_E_INCOMPLETE_SIGNATURE, "%sAuthorization=%.1024s", why, authz);
}

ddb_code_t auth_check(const auth_t *a, const char *method, const char *path,
                      const auth_header_t *headers, size_t nheaders, const char *body, size_t len,
                      time_t now, ddb_error_t *err)
{
    const char *authz = header(headers, nheaders, "Authorization");
    if (!authz) return ddb_fail(err, DDB_E_MISSING_AUTH, "Request is missing Authentication Token");
    sigv4_authz_t az;
    if (strncmp(authz, "AWS4-HMAC-SHA256 ", 17) != 0 || sigv4_authz_parse(authz, &az) != SIGV4_OK)
        return incomplete(authz, err);
    const char *amz_date = header(headers, nheaders, "X-Amz-Date");
    if (!amz_date)
        return ddb_fail(err, DDB_E_INCOMPLETE_SIGNATURE,
                        "Authorization header requires existence of either a 'X-Amz-Date' or a "
                        "'Date' header. Authorization=%.1024s",
                        authz);
    if (strcmp(az.service, "dynamodb") != 0)
        return ddb_fail(err, DDB_E_INVALID_SIGNATURE,
                        "Credential should be scoped to correct service: 'dynamodb'. ");
    if (strcmp(az.region, a->region) != 0)
        return ddb_fail(err, DDB_E_INVALID_SIGNATURE,
                        "Credential should be scoped to a valid region. ");
    const credential_t *cred = NULL;
    for (size_t i = 0; i < a->n && !cred; i++)
        if (strcmp(a->creds[i].akid, az.access_key_id) == 0) cred = &a->creds[i];
    const char *token = header(headers, nheaders, "X-Amz-Security-Token");
    if (!cred || (cred->token ? !token || strcmp(token, cred->token) != 0 : token != NULL))
        return ddb_fail(err, DDB_E_UNRECOGNIZED_CLIENT,
                        "The security token included in the request is invalid.");
    time_t when = parse_amz_date(amz_date);
    if (when < 0)
        return ddb_fail(err, DDB_E_INCOMPLETE_SIGNATURE,
                        "Date must be in ISO-8601 'basic format'. Got '%.64s'. See "
                        "http://en.wikipedia.org/wiki/ISO_8601",
                        amz_date);
    if (when < now - AUTH_SKEW_SECONDS || when > now + AUTH_SKEW_SECONDS) {
        char now_s[17], edge[17];
        int late = when < now - AUTH_SKEW_SECONDS;
        sigv4_format_date((long long)now, now_s);
        sigv4_format_date((long long)(late ? now - AUTH_SKEW_SECONDS : now + AUTH_SKEW_SECONDS),
                          edge);
        if (late)
            return ddb_fail(err, DDB_E_INVALID_SIGNATURE,
                            "Signature expired: %s is now earlier than %s (%s - 15 min.)", amz_date,
                            edge, now_s);
        return ddb_fail(err, DDB_E_INVALID_SIGNATURE,
                        "Signature not yet current: %s is still later than %s (%s + 15 min.)",
                        amz_date, edge, now_s);
    }
    sigv4_header_t hs[SIGV4_MAX_HEADERS];
    size_t n = nheaders < SIGV4_MAX_HEADERS ? nheaders : SIGV4_MAX_HEADERS;
    for (size_t i = 0; i < n; i++) hs[i] = (sigv4_header_t){headers[i].name, headers[i].value};
    sigv4_request_t rq = {.method = method,
                          .path = path,
                          .headers = hs,
                          .n_headers = n,
                          .body = body,
                          .body_len = len};
    sigv4_err_t se = sigv4_verify(&rq, &az, amz_date, cred->secret);
    if (se == SIGV4_OK) return DDB_OK;
    if (se == SIGV4_ERR_NOMEM)
        return ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
    return ddb_fail(err, DDB_E_INVALID_SIGNATURE,
                    "The request signature we calculated does not match the signature you "
                    "provided. Check your AWS Secret Access Key and signing method. Consult the "
                    "service documentation for details.");
}
