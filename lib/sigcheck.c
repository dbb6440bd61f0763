#define _GNU_SOURCE /* timegm */
#include "sigcheck.h"

#include "sigv4.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SKEW_SECONDS (15 * 60)

typedef struct credential {
    char *akid, *secret, *token;
} credential_t;

struct sigcheck {
    char region[64];
    char service[64];
    credential_t *creds;
    size_t n, cap;
};

const char *sigcheck_strerror(sigcheck_err_t err)
{
    switch (err) {
    case SIGCHECK_OK: return "ok";
    case SIGCHECK_ERR_FILE: return "cannot read the credentials file";
    case SIGCHECK_ERR_SYNTAX: return "a line is not ACCESS_KEY_ID SECRET [SESSION_TOKEN]";
    case SIGCHECK_ERR_NOMEM: return "out of memory";
    }
    return "unknown error";
}

sigcheck_t *sigcheck_new(const char *region, const char *service)
{
    sigcheck_t *a = calloc(1, sizeof *a);
    if (a) {
        snprintf(a->region, sizeof a->region, "%s", region);
        snprintf(a->service, sizeof a->service, "%s", service);
    }
    return a;
}

void sigcheck_free(sigcheck_t *a)
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

sigcheck_err_t sigcheck_add(sigcheck_t *a, const char *akid, const char *secret, const char *token)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        credential_t *p = realloc(a->creds, cap * sizeof *p);
        if (!p) return SIGCHECK_ERR_NOMEM;
        a->creds = p;
        a->cap = cap;
    }
    credential_t c = {strdup(akid), strdup(secret), token ? strdup(token) : NULL};
    if (!c.akid || !c.secret || (token && !c.token)) {
        free(c.akid);
        free(c.secret);
        free(c.token);
        return SIGCHECK_ERR_NOMEM;
    }
    a->creds[a->n++] = c;
    return SIGCHECK_OK;
}

sigcheck_err_t sigcheck_load(sigcheck_t *a, const char *path, int *line)
{
    FILE *f = fopen(path, "r");
    if (!f) return SIGCHECK_ERR_FILE;
    char buf[4096];
    sigcheck_err_t err = SIGCHECK_OK;
    *line = 0;
    while (!err && fgets(buf, sizeof buf, f)) {
        (*line)++;
        char *save = NULL;
        char *akid = strtok_r(buf, " \t\r\n", &save);
        if (!akid || akid[0] == '#') continue;
        char *secret = strtok_r(NULL, " \t\r\n", &save);
        char *token = strtok_r(NULL, " \t\r\n", &save);
        if (!secret || strtok_r(NULL, " \t\r\n", &save)) {
            err = SIGCHECK_ERR_SYNTAX;
            break;
        }
        err = sigcheck_add(a, akid, secret, token);
    }
    fclose(f);
    return err;
}

static const char *header(const sigcheck_header_t *h, size_t n, const char *name)
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

/* Formats msg and returns result: each failure below is one statement. */
static sigcheck_result_t fail(sigcheck_result_t result, char *msg, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static sigcheck_result_t fail(sigcheck_result_t result, char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    return result;
}

static sigcheck_result_t incomplete(const char *authz, char *msg, size_t cap)
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
    return fail(SIGCHECK_INCOMPLETE, msg, cap, "%sAuthorization=%.1024s", why, authz);
}

sigcheck_result_t sigcheck_request(const sigcheck_t *a, const char *method, const char *target,
                                   const sigcheck_header_t *headers, size_t nheaders,
                                   const char *body, size_t len, time_t now, char *msg, size_t cap)
{
    const char *authz = header(headers, nheaders, "Authorization");
    if (!authz) return fail(SIGCHECK_MISSING, msg, cap, "Missing Authentication Token");
    sigv4_authz_t az;
    if (strncmp(authz, "AWS4-HMAC-SHA256 ", 17) != 0 || sigv4_authz_parse(authz, &az) != SIGV4_OK)
        return incomplete(authz, msg, cap);
    const char *amz_date = header(headers, nheaders, "X-Amz-Date");
    if (!amz_date)
        return fail(SIGCHECK_INCOMPLETE, msg, cap,
                    "Authorization header requires existence of either a 'X-Amz-Date' or a "
                    "'Date' header. Authorization=%.1024s",
                    authz);
    if (strcmp(az.service, a->service) != 0)
        return fail(SIGCHECK_INVALID, msg, cap,
                    "Credential should be scoped to correct service: '%s'. ", a->service);
    if (strcmp(az.region, a->region) != 0)
        return fail(SIGCHECK_INVALID, msg, cap, "Credential should be scoped to a valid region. ");
    const credential_t *cred = NULL;
    for (size_t i = 0; i < a->n && !cred; i++)
        if (strcmp(a->creds[i].akid, az.access_key_id) == 0) cred = &a->creds[i];
    const char *token = header(headers, nheaders, "X-Amz-Security-Token");
    if (!cred || (cred->token ? !token || strcmp(token, cred->token) != 0 : token != NULL))
        return fail(SIGCHECK_UNRECOGNIZED, msg, cap,
                    "The security token included in the request is invalid.");
    time_t when = parse_amz_date(amz_date);
    if (when < 0)
        return fail(SIGCHECK_INCOMPLETE, msg, cap,
                    "Date must be in ISO-8601 'basic format'. Got '%.64s'. See "
                    "http://en.wikipedia.org/wiki/ISO_8601",
                    amz_date);
    if (when < now - SKEW_SECONDS || when > now + SKEW_SECONDS) {
        char now_s[17], edge[17];
        int late = when < now - SKEW_SECONDS;
        sigv4_format_date((long long)now, now_s);
        sigv4_format_date((long long)(late ? now - SKEW_SECONDS : now + SKEW_SECONDS), edge);
        if (late)
            return fail(SIGCHECK_INVALID, msg, cap,
                        "Signature expired: %s is now earlier than %s (%s - 15 min.)", amz_date,
                        edge, now_s);
        return fail(SIGCHECK_INVALID, msg, cap,
                    "Signature not yet current: %s is still later than %s (%s + 15 min.)", amz_date,
                    edge, now_s);
    }
    sigv4_header_t hs[SIGV4_MAX_HEADERS];
    size_t n = nheaders < SIGV4_MAX_HEADERS ? nheaders : SIGV4_MAX_HEADERS;
    for (size_t i = 0; i < n; i++) hs[i] = (sigv4_header_t){headers[i].name, headers[i].value};
    /* The path as sent goes to sigv4 as if decoded, so it is encoded once
     * more; the query is decoded and re-encoded there. */
    const char *q = strchr(target, '?');
    char *path = q ? strndup(target, (size_t)(q - target)) : NULL;
    if (q && !path) return fail(SIGCHECK_OUT_OF_MEMORY, msg, cap, "out of memory");
    sigv4_request_t rq = {.method = method,
                          .path = path ? path : target,
                          .query = q ? q + 1 : NULL,
                          .headers = hs,
                          .n_headers = n,
                          .body = body,
                          .body_len = len};
    sigv4_err_t se = sigv4_verify(&rq, &az, amz_date, cred->secret);
    free(path);
    if (se == SIGV4_OK) return SIGCHECK_VALID;
    if (se == SIGV4_ERR_NOMEM) return fail(SIGCHECK_OUT_OF_MEMORY, msg, cap, "out of memory");
    return fail(SIGCHECK_INVALID, msg, cap,
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service "
                "documentation for details.");
}

int sigcheck_from_options(const char *mode, const char *file, const char *akid, const char *secret,
                          const char *token, const char *region, const char *service,
                          sigcheck_t **out, char *why, size_t cap)
{
    *out = NULL;
    if (!mode || strcmp(mode, "none") == 0) return 0;
    if (strcmp(mode, "strict") != 0) {
        snprintf(why, cap, "--auth wants none or strict, not '%s'", mode);
        return -1;
    }
    if (!file && !(akid && secret)) {
        snprintf(why, cap,
                 "--auth strict needs --credentials FILE or --access-key-id and "
                 "--secret-access-key");
        return -1;
    }
    sigcheck_t *c = sigcheck_new(region, service);
    int line = 0;
    sigcheck_err_t err = c ? SIGCHECK_OK : SIGCHECK_ERR_NOMEM;
    if (!err && akid && secret) err = sigcheck_add(c, akid, secret, token);
    if (!err && file) err = sigcheck_load(c, file, &line);
    if (err) {
        if (err == SIGCHECK_ERR_SYNTAX)
            snprintf(why, cap, "%s: %s (line %d)", file, sigcheck_strerror(err), line);
        else
            snprintf(why, cap, "%s: %s", file ? file : "credentials", sigcheck_strerror(err));
        sigcheck_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

typedef struct header_list {
    sigcheck_header_t h[SIGV4_MAX_HEADERS];
    size_t n;
} header_list_t;

static int gather(void *ctx, const char *name, const char *value)
{
    header_list_t *l = ctx;
    if (l->n == SIGV4_MAX_HEADERS) return 1; /* more than SigV4 signs */
    l->h[l->n++] = (sigcheck_header_t){name, value};
    return 0;
}

sigcheck_result_t sigcheck_httpd(const sigcheck_t *c, const httpd_req_t *req, const char *body,
                                 size_t len, time_t now, char *msg, size_t cap)
{
    header_list_t l = {.n = 0};
    httpd_req_each_header(req, gather, &l);
    return sigcheck_request(c, httpd_req_method(req), httpd_req_target(req), l.h, l.n, body, len,
                            now, msg, cap);
}
