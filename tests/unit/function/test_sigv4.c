/* sigv4 known-answer tests: every case of the AWS SigV4 test suite (found at
 * ../shared/testdata/aws4_testsuite from the source tree; skipped with a
 * message when absent) is parsed from its .req file, and the canonical
 * request, string to sign and Authorization header must equal the suite's
 * .creq, .sts and .authz byte for byte. */
#include "sigv4.h"
#include "test.h"

#include <cjson/cJSON.h>
#include <strings.h>
#include <unistd.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef SUITE_DIR
#error "SUITE_DIR must be defined"
#endif

static const char *suite_akid = "AKIDEXAMPLE";
static const char *suite_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *p = realloc(buf, cap);
            if (!p) break;
            buf = p;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    fclose(f);
    if (buf) buf[len] = '\0';
    return buf;
}

/* The session tokens the suite's cases sign but leave out of their .req files
 * (see post-sts-token/readme.txt). */
static const char *suite_token(const char *name)
{
    if (strcmp(name, "get-vanilla-with-session-token") == 0)
        return "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
    if (strcmp(name, "post-sts-header-before") == 0)
        return "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeM"
               "icRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZ"
               "ampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xV"
               "qr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2I"
               "CCR/oLxBA==";
    return NULL;
}

static int cases_run, cases_failed;

static int check_text(const char *name, const char *what, const char *got, const char *want)
{
    if (got && want && strcmp(got, want) == 0) return 1;
    fprintf(stderr, "  %s: %s differs\n--- got:\n%s\n--- want:\n%s\n", name, what,
            got ? got : "(null)", want ? want : "(null)");
    return 0;
}

/* Parses dir/name.req and compares with the expected files; 1 when all match. */
static int run_case(const char *dir, const char *name)
{
    char path[8192];
    char *req = NULL, *creq_want = NULL, *sts_want = NULL, *authz_want = NULL;
    char *creq = NULL, *sts = NULL, *authz = NULL;
    sigv4_header_t hs[64];
    char *values[64] = {0};
    size_t nh = 0;
    int ok = 0;

    snprintf(path, sizeof path, "%s/%s.req", dir, name);
    req = slurp(path);
    snprintf(path, sizeof path, "%s/%s.creq", dir, name);
    creq_want = slurp(path);
    snprintf(path, sizeof path, "%s/%s.sts", dir, name);
    sts_want = slurp(path);
    snprintf(path, sizeof path, "%s/%s.authz", dir, name);
    authz_want = slurp(path);
    if (!req || !creq_want || !sts_want || !authz_want) {
        fprintf(stderr, "  %s: missing files\n", name);
        goto out;
    }
    /* Request line: METHOD SP target SP HTTP/1.1 (the target may hold spaces). */
    char *nl = strchr(req, '\n');
    if (!nl) goto out;
    *nl = '\0';
    char *line_end = nl;
    if (line_end > req && line_end[-1] == '\r') line_end[-1] = '\0';
    char *sp1 = strchr(req, ' '), *sp2 = strrchr(req, ' ');
    if (!sp1 || sp2 == sp1) goto out;
    *sp1 = '\0';
    *sp2 = '\0';
    char *target = sp1 + 1;
    char *query = strchr(target, '?');
    if (query) *query++ = '\0';

    /* Headers up to an empty line; lines starting with blanks continue the
     * previous value. */
    char *p = nl + 1, *body = NULL;
    while (*p) {
        char *e = strchr(p, '\n');
        if (e) *e = '\0';
        size_t l = strlen(p);
        if (l && p[l - 1] == '\r') p[--l] = '\0';
        if (l == 0) {
            body = e ? e + 1 : p + l;
            break;
        }
        if ((*p == ' ' || *p == '\t') && nh) {
            char *v = values[nh - 1];
            size_t vl = strlen(v);
            char *nv = realloc(v, vl + l + 2);
            if (!nv) goto out;
            nv[vl] = ' ';
            memcpy(nv + vl + 1, p, l + 1);
            values[nh - 1] = nv;
            hs[nh - 1].value = nv;
        } else {
            char *colon = strchr(p, ':');
            if (!colon || nh + 2 >= 64) goto out;
            *colon = '\0';
            values[nh] = strdup(colon + 1);
            if (!values[nh]) goto out;
            hs[nh].name = p;
            hs[nh].value = values[nh];
            nh++;
        }
        if (!e) break;
        p = e + 1;
    }
    const char *token = suite_token(name);
    for (size_t i = 0; i < nh; i++)
        if (strcasecmp(hs[i].name, "x-amz-security-token") == 0) token = NULL;
    if (token) {
        hs[nh].name = "X-Amz-Security-Token";
        hs[nh].value = token;
        values[nh] = NULL;
        nh++;
    }
    const char *date = NULL;
    for (size_t i = 0; i < nh; i++)
        if (strcasecmp(hs[i].name, "x-amz-date") == 0) date = hs[i].value;
    if (!date) goto out;

    sigv4_request_t r = {.method = req,
                         .path = target,
                         .query = query,
                         .headers = hs,
                         .n_headers = nh,
                         .body = body ? body : "",
                         .body_len = body ? strlen(body) : 0};
    sigv4_scope_t scope = {.amz_date = date, .region = "us-east-1", .service = "service"};
    if (sigv4_canonical_request(&r, &creq, NULL) != SIGV4_OK) goto out;
    if (!check_text(name, "canonical request", creq, creq_want)) goto out;
    if (sigv4_string_to_sign(&scope, creq, &sts) != SIGV4_OK) goto out;
    if (!check_text(name, "string to sign", sts, sts_want)) goto out;
    if (sigv4_sign(&r, &scope, suite_akid, suite_secret, &authz) != SIGV4_OK) goto out;
    if (!check_text(name, "authorization", authz, authz_want)) goto out;
    /* The verifying side accepts the suite's signature, also with an unsigned
     * header added, and rejects it for another body or secret. */
    sigv4_authz_t a;
    if (sigv4_authz_parse(authz_want, &a) != SIGV4_OK || strcmp(a.access_key_id, suite_akid) ||
        strcmp(a.service, "service") || strcmp(a.region, "us-east-1")) {
        fprintf(stderr, "  %s: authz_parse failed\n", name);
        goto out;
    }
    hs[nh].name = "User-Agent";
    hs[nh].value = "unsigned/1.0";
    values[nh] = NULL;
    r.n_headers = nh + 1;
    if (sigv4_verify(&r, &a, date, suite_secret) != SIGV4_OK) {
        fprintf(stderr, "  %s: verify rejected the suite's signature\n", name);
        goto out;
    }
    if (sigv4_verify(&r, &a, date, "wrong-secret") != SIGV4_ERR_MISMATCH) goto out;
    r.body = "tampered";
    r.body_len = 8;
    if (sigv4_verify(&r, &a, date, suite_secret) != SIGV4_ERR_MISMATCH) goto out;
    ok = 1;
out:
    for (size_t i = 0; i < nh; i++) free(values[i]);
    free(req);
    free(creq_want);
    free(sts_want);
    free(authz_want);
    free(creq);
    free(sts);
    free(authz);
    return ok;
}

/* A case is a folder holding <folder-name>.req; folders nest. */
static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char sub[4096], reqp[8192];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
        if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        snprintf(reqp, sizeof reqp, "%s/%s.req", sub, de->d_name);
        if (access(reqp, R_OK) == 0) {
            cases_run++;
            if (!run_case(sub, de->d_name)) {
                cases_failed++;
                fprintf(stderr, "  suite case failed: %s\n", de->d_name);
            }
        }
        walk(sub);
    }
    closedir(d);
}

static void test_aws_suite(void)
{
    struct stat st;
    if (stat(SUITE_DIR, &st) != 0) {
        printf("SKIP test_aws_suite: %s not found\n", SUITE_DIR);
        return;
    }
    cases_run = cases_failed = 0;
    walk(SUITE_DIR);
    printf("aws4_testsuite: %d cases, %d failed\n", cases_run, cases_failed);
    CHECK(cases_run >= 20);
    CHECK(cases_failed == 0);
}

/* The worked example of the AWS documentation's signing-key derivation
 * (secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam). */
static void test_signing_key_known_answer(void)
{
    sigv4_scope_t s = {.amz_date = "20120215T000000Z", .region = "us-east-1", .service = "iam"};
    unsigned char key[32];
    char hex[65];
    CHECK(sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &s, key) == SIGV4_OK);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", key[i]);
    CHECK_STR(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

static void test_sha256_empty(void)
{
    char hex[SIGV4_HEX_LEN];
    CHECK(sigv4_sha256_hex("", 0, hex) == SIGV4_OK);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_format_date(void)
{
    char d[17];
    sigv4_format_date(1440938160LL, d);
    CHECK_STR(d, "20150830T123600Z");
}

static void test_signature_equal(void)
{
    CHECK(sigv4_signature_equal("abc", "abc"));
    CHECK(!sigv4_signature_equal("abc", "abd"));
    CHECK(!sigv4_signature_equal("abc", "abcd"));
    CHECK(!sigv4_signature_equal(NULL, "abc"));
}

/* A verifier recomputes and compares: a changed body must not verify. */
static void test_verify_detects_tampering(void)
{
    sigv4_header_t hs[] = {{"Host", "dynamodb.us-east-1.amazonaws.com"},
                           {"X-Amz-Date", "20260127T120000Z"}};
    sigv4_request_t r = {
        .method = "POST", .path = "/", .headers = hs, .n_headers = 2, .body = "{}", .body_len = 2};
    sigv4_scope_t s = {
        .amz_date = "20260127T120000Z", .region = "us-east-1", .service = "dynamodb"};
    char *a = NULL, *b = NULL;
    CHECK(sigv4_sign(&r, &s, "AK", "SK", &a) == SIGV4_OK);
    r.body = "{ }";
    r.body_len = 3;
    if (sigv4_sign(&r, &s, "AK", "SK", &b) != SIGV4_OK) {
        free(a);
        CHECK(0);
    }
    int same = strcmp(a, b) == 0;
    free(a);
    free(b);
    CHECK(!same);
}

static void test_authz_parse(void)
{
    sigv4_authz_t a;
    const char *good = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                       "aws4_request, SignedHeaders=host;x-amz-date, Signature="
                       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    CHECK(sigv4_authz_parse(good, &a) == SIGV4_OK);
    CHECK_STR(a.access_key_id, "AKIDEXAMPLE");
    CHECK_STR(a.date, "20150830");
    CHECK_STR(a.region, "us-east-1");
    CHECK_STR(a.service, "service");
    CHECK_STR(a.signed_headers, "host;x-amz-date");
    CHECK_STR(a.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    /* no blanks after the commas is accepted too */
    CHECK(sigv4_authz_parse("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request,"
                            "SignedHeaders=host,Signature="
                            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
                            &a) == SIGV4_OK);
    CHECK_STR(a.signed_headers, "host");
    static const char *const bad[] = {
        "AWS4-HMAC-SHA1 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, "
        "Signature=5fa00fa3",
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, "
        "Signature=5FA00FA31553B73EBF1942676E86291E8372FF2A2260956D9B8AAE1D763FBF31",
        "AWS4-HMAC-SHA256 Credential=20150830/r/s/aws4_request, SignedHeaders=host, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "AWS4-HMAC-SHA256 Credential=A/2015083/r/s/aws4_request, SignedHeaders=host, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws5_request, SignedHeaders=host, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "AWS4-HMAC-SHA256 Credential=A/20150830//s/aws4_request, SignedHeaders=host, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (sigv4_authz_parse(bad[i], &a) != SIGV4_ERR_ARG) {
            fprintf(stderr, "  accepted: %s\n", bad[i]);
            CHECK(0);
        }
    }
    char longer[400];
    snprintf(longer, sizeof longer,
             "AWS4-HMAC-SHA256 Credential=A/20150830/%0100d/s/aws4_request, SignedHeaders=host, "
             "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
             0);
    CHECK(sigv4_authz_parse(longer, &a) == SIGV4_ERR_TOOBIG);
}

/* A header the client says it signed but that did not arrive fails. */
static void test_verify_missing_signed_header(void)
{
    sigv4_header_t hs[] = {
        {"Host", "h"}, {"X-Amz-Date", "20260127T120000Z"}, {"X-Amz-Target", "t"}};
    sigv4_request_t r = {
        .method = "POST", .path = "/", .headers = hs, .n_headers = 3, .body = "{}", .body_len = 2};
    sigv4_scope_t s = {
        .amz_date = "20260127T120000Z", .region = "us-east-1", .service = "dynamodb"};
    char *authz = NULL;
    sigv4_authz_t a;
    CHECK(sigv4_sign(&r, &s, "AK", "SK", &authz) == SIGV4_OK);
    int parsed = sigv4_authz_parse(authz, &a) == SIGV4_OK;
    free(authz);
    CHECK(parsed);
    CHECK(sigv4_verify(&r, &a, "20260127T120000Z", "SK") == SIGV4_OK);
    r.n_headers = 2; /* X-Amz-Target dropped on the way */
    CHECK(sigv4_verify(&r, &a, "20260127T120000Z", "SK") == SIGV4_ERR_MISMATCH);
    r.n_headers = 3;
    CHECK(sigv4_verify(&r, &a, "20260128T120000Z", "SK") == SIGV4_ERR_MISMATCH);
}

static void test_rejects_bad_arguments(void)
{
    sigv4_request_t r = {.method = NULL};
    char *c = NULL;
    CHECK(sigv4_canonical_request(&r, &c, NULL) == SIGV4_ERR_ARG);
    CHECK(c == NULL);
    sigv4_scope_t s = {.amz_date = "2015", .region = "us-east-1", .service = "x"};
    unsigned char key[32];
    CHECK(sigv4_signing_key("k", &s, key) == SIGV4_ERR_ARG);
    sigv4_header_t many[SIGV4_MAX_HEADERS + 1];
    for (size_t i = 0; i <= SIGV4_MAX_HEADERS; i++) many[i] = (sigv4_header_t){"a", "b"};
    sigv4_request_t big = {.method = "GET", .headers = many, .n_headers = SIGV4_MAX_HEADERS + 1};
    CHECK(sigv4_canonical_request(&big, &c, NULL) == SIGV4_ERR_TOOBIG);
    CHECK(strcmp(sigv4_strerror(SIGV4_ERR_TOOBIG), "request too large to sign") == 0);
}

/* DynamoDB requests signed by botocore (gen_botocore_vectors.py): sigv4 with
 * the headers botocore signs must give the same Authorization header. */
static void test_botocore_vectors(void)
{
    char *text = slurp(VECTORS_FILE);
    CHECK(text != NULL);
    cJSON *all = cJSON_Parse(text);
    free(text);
    CHECK(cJSON_IsArray(all));
    int n = 0, bad = 0;
    cJSON *v;
    cJSON_ArrayForEach(v, all)
    {
        const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(v, "url"));
        const char *token = cJSON_GetStringValue(cJSON_GetObjectItem(v, "session_token"));
        const char *body = cJSON_GetStringValue(cJSON_GetObjectItem(v, "body"));
        char host[256];
        const char *h = strstr(url, "://") + 3;
        size_t hl = strcspn(h, "/");
        snprintf(host, sizeof host, "%.*s", (int)hl, h);
        sigv4_header_t hs[5] = {
            {"Content-Type", "application/x-amz-json-1.0"},
            {"X-Amz-Target", cJSON_GetStringValue(cJSON_GetObjectItem(v, "target"))},
            {"Host", host},
            {"X-Amz-Date", cJSON_GetStringValue(cJSON_GetObjectItem(v, "amz_date"))},
            {"X-Amz-Security-Token", token ? token : ""}};
        sigv4_request_t r = {.method = "POST",
                             .path = "/",
                             .headers = hs,
                             .n_headers = token ? 5 : 4,
                             .body = body,
                             .body_len = strlen(body)};
        sigv4_scope_t s = {.amz_date = hs[3].value,
                           .region = cJSON_GetStringValue(cJSON_GetObjectItem(v, "region")),
                           .service = "dynamodb"};
        char *authz = NULL;
        n++;
        if (sigv4_sign(&r, &s, cJSON_GetStringValue(cJSON_GetObjectItem(v, "access_key_id")),
                       cJSON_GetStringValue(cJSON_GetObjectItem(v, "secret")),
                       &authz) != SIGV4_OK ||
            !check_text(url, "authorization", authz,
                        cJSON_GetStringValue(cJSON_GetObjectItem(v, "authorization"))))
            bad++;
        sigv4_authz_t a;
        if (sigv4_authz_parse(cJSON_GetStringValue(cJSON_GetObjectItem(v, "authorization")), &a) !=
                SIGV4_OK ||
            sigv4_verify(&r, &a, hs[3].value,
                         cJSON_GetStringValue(cJSON_GetObjectItem(v, "secret"))) != SIGV4_OK) {
            fprintf(stderr, "  %s: botocore's signature does not verify\n", url);
            bad++;
        }
        free(authz);
    }
    cJSON_Delete(all);
    CHECK(n >= 5);
    CHECK(bad == 0);
}

int main(int argc, char **argv)
{
    static const test_case_t cases[] = {
        TEST_CASE(test_aws_suite),
        TEST_CASE(test_signing_key_known_answer),
        TEST_CASE(test_sha256_empty),
        TEST_CASE(test_format_date),
        TEST_CASE(test_signature_equal),
        TEST_CASE(test_verify_detects_tampering),
        TEST_CASE(test_rejects_bad_arguments),
        TEST_CASE(test_authz_parse),
        TEST_CASE(test_verify_missing_signed_header),
        TEST_CASE(test_botocore_vectors),
    };
    return test_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
