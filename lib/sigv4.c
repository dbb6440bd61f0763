/* sigv4: see sigv4.h. The canonical forms follow the AWS SigV4 documentation
 * and its published test suite (tests/unit/function/test_sigv4.c). */
#include "sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *sigv4_strerror(sigv4_err_t err)
{
    switch (err) {
    case SIGV4_OK: return "ok";
    case SIGV4_ERR_ARG: return "missing or malformed argument";
    case SIGV4_ERR_NOMEM: return "out of memory";
    case SIGV4_ERR_TOOBIG: return "request too large to sign";
    case SIGV4_ERR_CRYPTO: return "libcrypto error";
    case SIGV4_ERR_MISMATCH: return "signature does not match";
    }
    return "unknown sigv4 error";
}

/* A growable string; the first failed append sticks in err. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    sigv4_err_t err;
} sbuf_t;

static void sb_add(sbuf_t *b, const char *s, size_t n)
{
    if (b->err) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->err = SIGV4_ERR_NOMEM;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf_t *b, const char *s) { sb_add(b, s, strlen(s)); }
static void sb_chr(sbuf_t *b, char c) { sb_add(b, &c, 1); }

/* Hands the string to the caller, or frees it on error. */
static sigv4_err_t sb_take(sbuf_t *b, char **out)
{
    if (b->err) {
        free(b->p);
        return b->err;
    }
    if (!b->p) {
        sb_add(b, "", 0);
        if (b->err) return b->err;
    }
    *out = b->p;
    return SIGV4_OK;
}

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

static void sb_encode(sbuf_t *b, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            sb_chr(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            sb_add(b, e, 3);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into out (at least n+1 bytes); returns its length. */
static size_t decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return o;
}

/* Canonical URI: dot segments removed, empty segments dropped, each segment
 * encoded; a trailing slash is kept. */
static sigv4_err_t canonical_path(sbuf_t *b, const char *path)
{
    if (!path || !*path) path = "/";
    size_t n = strlen(path);
    if (n > SIGV4_MAX_TEXT) return SIGV4_ERR_TOOBIG;
    /* segment start offsets into path, as a stack */
    size_t *seg = malloc((n + 1) * sizeof *seg), *len = malloc((n + 1) * sizeof *len);
    sigv4_err_t err = SIGV4_OK;
    size_t depth = 0;
    if (!seg || !len) {
        err = SIGV4_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n;) {
        while (i < n && path[i] == '/') i++;
        size_t start = i;
        while (i < n && path[i] != '/') i++;
        size_t l = i - start;
        if (l == 0 || (l == 1 && path[start] == '.')) continue;
        if (l == 2 && path[start] == '.' && path[start + 1] == '.') {
            if (depth) depth--;
            continue;
        }
        seg[depth] = start;
        len[depth] = l;
        depth++;
    }
    sb_chr(b, '/');
    for (size_t d = 0; d < depth; d++) {
        sb_encode(b, path + seg[d], len[d], 0);
        if (d + 1 < depth) sb_chr(b, '/');
    }
    /* "/example/" keeps its slash; "/example/.." resolves to "/". */
    if (depth && n > 1 && path[n - 1] == '/')
        sb_chr(b, '/');
    else if (depth && n > 2 && path[n - 1] == '.' && path[n - 2] == '/')
        sb_chr(b, '/');
out:
    free(seg);
    free(len);
    return err;
}

typedef struct qparam {
    char *enc; /* "name=value", encoded */
    size_t name_len;
} qparam_t;

static int qparam_cmp(const void *a, const void *b)
{
    const qparam_t *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->enc, y->enc, n);
    if (c) return c;
    if (x->name_len != y->name_len) return x->name_len < y->name_len ? -1 : 1;
    return strcmp(x->enc + x->name_len, y->enc + y->name_len);
}

static sigv4_err_t canonical_query(sbuf_t *b, const char *query)
{
    if (!query || !*query) return SIGV4_OK;
    size_t n = strlen(query);
    if (n > SIGV4_MAX_TEXT) return SIGV4_ERR_TOOBIG;
    size_t count = 1;
    for (size_t i = 0; i < n; i++) count += query[i] == '&';
    qparam_t *ps = calloc(count, sizeof *ps);
    char *tmp = malloc(n + 1);
    size_t np = 0;
    sigv4_err_t err = SIGV4_OK;
    if (!ps || !tmp) {
        err = SIGV4_ERR_NOMEM;
        goto out;
    }
    for (const char *p = query; p <= query + n;) {
        const char *end = strchr(p, '&');
        if (!end) end = query + n;
        if (end > p) {
            const char *eq = memchr(p, '=', (size_t)(end - p));
            const char *name_end = eq ? eq : end;
            sbuf_t one = {0};
            size_t dl = decode(p, (size_t)(name_end - p), tmp);
            sb_encode(&one, tmp, dl, 0);
            size_t name_len = one.len;
            sb_chr(&one, '=');
            if (eq) {
                dl = decode(eq + 1, (size_t)(end - eq - 1), tmp);
                sb_encode(&one, tmp, dl, 0);
            }
            if ((err = sb_take(&one, &ps[np].enc)) != SIGV4_OK) goto out;
            ps[np].name_len = name_len;
            np++;
        }
        p = end + 1;
    }
    qsort(ps, np, sizeof *ps, qparam_cmp);
    for (size_t i = 0; i < np; i++) {
        if (i) sb_chr(b, '&');
        sb_str(b, ps[i].enc);
    }
out:
    if (ps)
        for (size_t i = 0; i < np; i++) free(ps[i].enc);
    free(ps);
    free(tmp);
    return err;
}

typedef struct hdr {
    char *name; /* lowercased */
    const char *value;
    size_t order;
} hdr_t;

static int hdr_cmp(const void *a, const void *b)
{
    const hdr_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Value trimmed, inner runs of blanks (space, tab, folded newlines) made one
 * space. */
static void sb_header_value(sbuf_t *b, const char *v)
{
    while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n') v++;
    int pending = 0;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n') {
            pending = 1;
            continue;
        }
        if (pending) sb_chr(b, ' ');
        pending = 0;
        sb_chr(b, *v);
    }
}

sigv4_err_t sigv4_sha256_hex(const void *data, size_t len, char out[SIGV4_HEX_LEN])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    unsigned int mdlen = 0;
    if (!data && len) return SIGV4_ERR_ARG;
    if (!EVP_Digest(data ? data : "", len, md, &mdlen, EVP_sha256(), NULL)) return SIGV4_ERR_CRYPTO;
    for (unsigned i = 0; i < mdlen; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
    return SIGV4_OK;
}

sigv4_err_t sigv4_canonical_request(const sigv4_request_t *req, char **out_creq, char **out_signed)
{
    if (!req || !req->method || !out_creq || (!req->headers && req->n_headers))
        return SIGV4_ERR_ARG;
    if (req->n_headers > SIGV4_MAX_HEADERS) return SIGV4_ERR_TOOBIG;
    sbuf_t b = {0}, sh = {0};
    hdr_t *hs = calloc(req->n_headers + 1, sizeof *hs);
    size_t nh = 0;
    sigv4_err_t err = SIGV4_OK;
    char hash[SIGV4_HEX_LEN];
    if (!hs) {
        err = SIGV4_ERR_NOMEM;
        goto out;
    }
    for (; nh < req->n_headers; nh++) {
        const sigv4_header_t *h = &req->headers[nh];
        if (!h->name || !h->value) {
            err = SIGV4_ERR_ARG;
            goto out;
        }
        size_t l = strlen(h->name);
        if (l > SIGV4_MAX_TEXT || strlen(h->value) > SIGV4_MAX_TEXT) {
            err = SIGV4_ERR_TOOBIG;
            goto out;
        }
        hs[nh].name = malloc(l + 1);
        if (!hs[nh].name) {
            err = SIGV4_ERR_NOMEM;
            goto out;
        }
        for (size_t i = 0; i <= l; i++) {
            char c = h->name[i];
            hs[nh].name[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        hs[nh].value = h->value;
        hs[nh].order = nh;
    }
    qsort(hs, nh, sizeof *hs, hdr_cmp);

    sb_str(&b, req->method);
    sb_chr(&b, '\n');
    if ((err = canonical_path(&b, req->path)) != SIGV4_OK) goto out;
    sb_chr(&b, '\n');
    if ((err = canonical_query(&b, req->query)) != SIGV4_OK) goto out;
    sb_chr(&b, '\n');
    for (size_t i = 0; i < nh; i++) {
        int same_as_prev = i > 0 && strcmp(hs[i].name, hs[i - 1].name) == 0;
        if (same_as_prev) {
            sb_chr(&b, ',');
        } else {
            if (i) sb_chr(&b, '\n');
            sb_str(&b, hs[i].name);
            sb_chr(&b, ':');
            if (sh.len) sb_chr(&sh, ';');
            sb_str(&sh, hs[i].name);
        }
        sb_header_value(&b, hs[i].value);
    }
    if (nh) sb_chr(&b, '\n');
    sb_chr(&b, '\n');
    if (!sh.p) sb_add(&sh, "", 0);
    sb_str(&b, sh.p ? sh.p : "");
    sb_chr(&b, '\n');
    if (req->payload_hash) {
        sb_str(&b, req->payload_hash);
    } else {
        if ((err = sigv4_sha256_hex(req->body, req->body_len, hash)) != SIGV4_OK) goto out;
        sb_str(&b, hash);
    }
    if (b.err || sh.err) {
        err = b.err ? b.err : sh.err;
        goto out;
    }
    if (out_signed) {
        *out_signed = sh.p;
        sh.p = NULL;
    }
    *out_creq = b.p;
    b.p = NULL;
out:
    free(b.p);
    free(sh.p);
    if (hs)
        for (size_t i = 0; i < nh; i++) free(hs[i].name);
    free(hs);
    return err;
}

static int scope_ok(const sigv4_scope_t *s)
{
    return s && s->amz_date && strlen(s->amz_date) == 16 && s->region && *s->region && s->service &&
           *s->service;
}

/* The credential scope: "<YYYYMMDD>/<region>/<service>/aws4_request". */
static void sb_scope(sbuf_t *b, const sigv4_scope_t *scope)
{
    sb_add(b, scope->amz_date, 8);
    sb_chr(b, '/');
    sb_str(b, scope->region);
    sb_chr(b, '/');
    sb_str(b, scope->service);
    sb_str(b, "/aws4_request");
}

sigv4_err_t sigv4_string_to_sign(const sigv4_scope_t *scope, const char *creq, char **out_sts)
{
    if (!scope_ok(scope) || !creq || !out_sts) return SIGV4_ERR_ARG;
    char hash[SIGV4_HEX_LEN];
    sigv4_err_t err = sigv4_sha256_hex(creq, strlen(creq), hash);
    if (err) return err;
    sbuf_t b = {0};
    sb_str(&b, "AWS4-HMAC-SHA256\n");
    sb_str(&b, scope->amz_date);
    sb_chr(&b, '\n');
    sb_scope(&b, scope);
    sb_chr(&b, '\n');
    sb_str(&b, hash);
    return sb_take(&b, out_sts);
}

static int hmac(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[32])
{
    unsigned int olen = 0;
    return HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &olen) != NULL && olen == 32;
}

sigv4_err_t sigv4_signing_key(const char *secret, const sigv4_scope_t *scope,
                              unsigned char out_key[32])
{
    if (!secret || !scope_ok(scope) || !out_key) return SIGV4_ERR_ARG;
    size_t sl = strlen(secret);
    if (sl > SIGV4_MAX_TEXT) return SIGV4_ERR_TOOBIG;
    sigv4_err_t err = SIGV4_OK;
    unsigned char k[32];
    char *k0 = malloc(sl + 5);
    if (!k0) return SIGV4_ERR_NOMEM;
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, sl + 1);
    if (!hmac(k0, sl + 4, scope->amz_date, 8, k) ||
        !hmac(k, 32, scope->region, strlen(scope->region), k) ||
        !hmac(k, 32, scope->service, strlen(scope->service), k) ||
        !hmac(k, 32, "aws4_request", 12, k)) {
        err = SIGV4_ERR_CRYPTO;
        goto out;
    }
    memcpy(out_key, k, 32);
out:
    OPENSSL_cleanse(k0, sl + 4);
    OPENSSL_cleanse(k, sizeof k);
    free(k0);
    return err;
}

sigv4_err_t sigv4_signature(const unsigned char key[32], const char *sts,
                            char out_sig[SIGV4_HEX_LEN])
{
    if (!key || !sts || !out_sig) return SIGV4_ERR_ARG;
    unsigned char mac[32];
    if (!hmac(key, 32, sts, strlen(sts), mac)) return SIGV4_ERR_CRYPTO;
    for (int i = 0; i < 32; i++) snprintf(out_sig + 2 * i, 3, "%02x", mac[i]);
    return SIGV4_OK;
}

sigv4_err_t sigv4_authorization(const sigv4_scope_t *scope, const char *access_key_id,
                                const char *signed_headers, const char *sig, char **out_authz)
{
    if (!scope_ok(scope) || !access_key_id || !signed_headers || !sig || !out_authz)
        return SIGV4_ERR_ARG;
    sbuf_t b = {0};
    sb_str(&b, "AWS4-HMAC-SHA256 Credential=");
    sb_str(&b, access_key_id);
    sb_chr(&b, '/');
    sb_scope(&b, scope);
    sb_str(&b, ", SignedHeaders=");
    sb_str(&b, signed_headers);
    sb_str(&b, ", Signature=");
    sb_str(&b, sig);
    return sb_take(&b, out_authz);
}

sigv4_err_t sigv4_sign(const sigv4_request_t *req, const sigv4_scope_t *scope,
                       const char *access_key_id, const char *secret, char **out_authz)
{
    if (!access_key_id || !secret || !out_authz || !scope_ok(scope)) return SIGV4_ERR_ARG;
    char *creq = NULL, *signed_headers = NULL, *sts = NULL;
    unsigned char key[32];
    char sig[SIGV4_HEX_LEN];
    sigv4_err_t err;
    if ((err = sigv4_canonical_request(req, &creq, &signed_headers)) != SIGV4_OK) goto out;
    if ((err = sigv4_string_to_sign(scope, creq, &sts)) != SIGV4_OK) goto out;
    if ((err = sigv4_signing_key(secret, scope, key)) != SIGV4_OK) goto out;
    if ((err = sigv4_signature(key, sts, sig)) != SIGV4_OK) goto out;
    err = sigv4_authorization(scope, access_key_id, signed_headers, sig, out_authz);
out:
    OPENSSL_cleanse(key, sizeof key);
    free(creq);
    free(signed_headers);
    free(sts);
    return err;
}

void sigv4_format_date(long long epoch_seconds, char out[17])
{
    time_t t = (time_t)epoch_seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

int sigv4_signature_equal(const char *a, const char *b)
{
    if (!a || !b) return 0;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return 0;
    return CRYPTO_memcmp(a, b, la) == 0;
}

/* Copies s[0..n) into dst (cap bytes with the NUL). */
static sigv4_err_t copy_part(char *dst, size_t cap, const char *s, size_t n)
{
    if (n == 0) return SIGV4_ERR_ARG;
    if (n >= cap) return SIGV4_ERR_TOOBIG;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return SIGV4_OK;
}

/* The value of "name=" among comma-separated parts of p, up to the next
 * comma; NULL when absent. */
static const char *param(const char *p, const char *name, size_t *len)
{
    size_t nl = strlen(name);
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            const char *v = p + nl + 1;
            *len = strcspn(v, ", ");
            return v;
        }
        p += strcspn(p, ",");
    }
    return NULL;
}

sigv4_err_t sigv4_authz_parse(const char *value, sigv4_authz_t *out)
{
    static const char algo[] = "AWS4-HMAC-SHA256 ";
    if (!value || !out || strncmp(value, algo, sizeof algo - 1) != 0) return SIGV4_ERR_ARG;
    if (strlen(value) > SIGV4_MAX_TEXT) return SIGV4_ERR_TOOBIG;
    const char *rest = value + sizeof algo - 1;
    size_t cl, hl, sl;
    const char *cred = param(rest, "Credential", &cl);
    const char *sh = param(rest, "SignedHeaders", &hl);
    const char *sig = param(rest, "Signature", &sl);
    if (!cred || !sh || !sig || sl != 64 || strspn(sig, "0123456789abcdef") < 64)
        return SIGV4_ERR_ARG;
    sigv4_authz_t a;
    memset(&a, 0, sizeof a);
    /* akid/date/region/service/aws4_request: split from the right, since the
     * parts after the key id hold no '/'. */
    const char *end = cred + cl, *slash[4];
    const char *p = end;
    for (int i = 3; i >= 0; i--) {
        while (p > cred && p[-1] != '/') p--;
        if (p == cred) return SIGV4_ERR_ARG;
        slash[i] = --p;
    }
    sigv4_err_t err;
    if ((size_t)(end - slash[3] - 1) != 12 || strncmp(slash[3] + 1, "aws4_request", 12) != 0)
        return SIGV4_ERR_ARG;
    if ((err = copy_part(a.access_key_id, sizeof a.access_key_id, cred,
                         (size_t)(slash[0] - cred))) != SIGV4_OK ||
        (err = copy_part(a.date, sizeof a.date, slash[0] + 1, (size_t)(slash[1] - slash[0] - 1))) !=
            SIGV4_OK ||
        (err = copy_part(a.region, sizeof a.region, slash[1] + 1,
                         (size_t)(slash[2] - slash[1] - 1))) != SIGV4_OK ||
        (err = copy_part(a.service, sizeof a.service, slash[2] + 1,
                         (size_t)(slash[3] - slash[2] - 1))) != SIGV4_OK ||
        (err = copy_part(a.signed_headers, sizeof a.signed_headers, sh, hl)) != SIGV4_OK ||
        (err = copy_part(a.signature, sizeof a.signature, sig, 64)) != SIGV4_OK)
        return err;
    if (strlen(a.date) != 8 || strspn(a.date, "0123456789") != 8) return SIGV4_ERR_ARG;
    *out = a;
    return SIGV4_OK;
}

/* 1 when name (any case) is one of the ';'-separated lowercase names. */
static int listed(const char *list, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = list; *p;) {
        size_t l = strcspn(p, ";");
        if (l == nl && strncasecmp(p, name, nl) == 0) return 1;
        p += l;
        if (*p) p++;
    }
    return 0;
}

sigv4_err_t sigv4_verify(const sigv4_request_t *req, const sigv4_authz_t *authz,
                         const char *amz_date, const char *secret)
{
    if (!req || !authz || !amz_date || !secret || strlen(amz_date) != 16 ||
        (!req->headers && req->n_headers))
        return SIGV4_ERR_ARG;
    if (req->n_headers > SIGV4_MAX_HEADERS) return SIGV4_ERR_TOOBIG;
    if (strncmp(amz_date, authz->date, 8) != 0) return SIGV4_ERR_MISMATCH;
    sigv4_header_t picked[SIGV4_MAX_HEADERS];
    size_t n = 0;
    for (size_t i = 0; i < req->n_headers; i++)
        if (req->headers[i].name && listed(authz->signed_headers, req->headers[i].name))
            picked[n++] = req->headers[i];
    sigv4_request_t r = *req;
    r.headers = picked;
    r.n_headers = n;
    sigv4_scope_t scope = {
        .amz_date = amz_date, .region = authz->region, .service = authz->service};
    char *creq = NULL, *signed_headers = NULL, *sts = NULL;
    unsigned char key[32];
    char sig[SIGV4_HEX_LEN];
    sigv4_err_t err = sigv4_canonical_request(&r, &creq, &signed_headers);
    if (err) goto out;
    /* Every header the client says it signed must have been received. */
    if (strcmp(signed_headers, authz->signed_headers) != 0) {
        err = SIGV4_ERR_MISMATCH;
        goto out;
    }
    if ((err = sigv4_string_to_sign(&scope, creq, &sts)) != SIGV4_OK) goto out;
    if ((err = sigv4_signing_key(secret, &scope, key)) != SIGV4_OK) goto out;
    if ((err = sigv4_signature(key, sts, sig)) != SIGV4_OK) goto out;
    err = sigv4_signature_equal(sig, authz->signature) ? SIGV4_OK : SIGV4_ERR_MISMATCH;
out:
    OPENSSL_cleanse(key, sizeof key);
    free(creq);
    free(signed_headers);
    free(sts);
    return err;
}
