/* Unit tests of the DynamoDB client's pure parts: configuration from the
 * environment, signed requests (against botocore), x-amz-crc32, error
 * documents and the standard-mode retry policy. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb_config.h"
#include "ddb_request.h"
#include "ddb_response.h"
#include "ddb_retry.h"
#include "test.h"

/* An environment as a NULL-terminated list of "NAME=value". */
static const char *table_env(const char *name, void *ctx)
{
    const char *const *vars = ctx;
    size_t n = strlen(name);
    for (; *vars; vars++)
        if (strncmp(*vars, name, n) == 0 && (*vars)[n] == '=') return *vars + n + 1;
    return NULL;
}

static ddb_config_t *resolve(const char *const *vars, ddb_err_t *err, const char **why)
{
    ddb_config_t *cfg = NULL;
    *err = ddb_config_resolve(table_env, (void *)vars, &cfg, why);
    return cfg;
}

#define CREDS "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRET"

static void test_config_default_endpoint(void)
{
    const char *env[] = {CREDS, "AWS_REGION=ap-northeast-1", NULL};
    ddb_err_t err;
    const char *why = NULL;
    ddb_config_t *c = resolve(env, &err, &why);
    CHECK(err == DDB_OK && c);
    int ok = strcmp(c->endpoint, "https://dynamodb.ap-northeast-1.amazonaws.com") == 0 &&
             strcmp(c->host, "dynamodb.ap-northeast-1.amazonaws.com") == 0 &&
             strcmp(c->path, "/") == 0 && c->tls == 1 && c->max_attempts == 3 &&
             c->session_token == NULL && c->ca_bundle == NULL;
    ddb_config_free(c);
    CHECK(ok);
}

static void test_config_endpoint_precedence(void)
{
    const char *both[] = {CREDS, "AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=http://general:1",
                          "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000", NULL};
    const char *general[] = {CREDS, "AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=http://general:1",
                             NULL};
    const char *ignored[] = {CREDS, "AWS_REGION=us-east-1",
                             "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000",
                             "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true", NULL};
    const char *empty[] = {CREDS, "AWS_REGION=us-east-1",
                           "AWS_ENDPOINT_URL_DYNAMODB=", "AWS_ENDPOINT_URL=http://general:1", NULL};
    ddb_err_t err;
    const char *why;
    ddb_config_t *c = resolve(both, &err, &why);
    CHECK(c);
    int ok = strcmp(c->host, "127.0.0.1:8000") == 0 && c->tls == 0;
    ddb_config_free(c);
    CHECK(ok);
    c = resolve(general, &err, &why);
    CHECK(c);
    ok = strcmp(c->host, "general:1") == 0;
    ddb_config_free(c);
    CHECK(ok);
    c = resolve(ignored, &err, &why);
    CHECK(c);
    ok = strcmp(c->host, "dynamodb.us-east-1.amazonaws.com") == 0;
    ddb_config_free(c);
    CHECK(ok);
    c = resolve(empty, &err, &why); /* an empty variable counts as unset */
    CHECK(c);
    ok = strcmp(c->host, "general:1") == 0;
    ddb_config_free(c);
    CHECK(ok);
}

static void test_config_region_precedence(void)
{
    const char *both[] = {CREDS, "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=us-west-2", NULL};
    const char *fallback[] = {CREDS, "AWS_DEFAULT_REGION=us-west-2", NULL};
    const char *china[] = {CREDS, "AWS_REGION=cn-north-1", NULL};
    ddb_err_t err;
    const char *why;
    ddb_config_t *c = resolve(both, &err, &why);
    CHECK(c);
    int ok = strcmp(c->region, "eu-west-1") == 0;
    ddb_config_free(c);
    CHECK(ok);
    c = resolve(fallback, &err, &why);
    CHECK(c);
    ok = strcmp(c->region, "us-west-2") == 0;
    ddb_config_free(c);
    CHECK(ok);
    c = resolve(china, &err, &why);
    CHECK(c);
    ok = strcmp(c->host, "dynamodb.cn-north-1.amazonaws.com.cn") == 0;
    ddb_config_free(c);
    CHECK(ok);
}

static void test_config_credentials(void)
{
    const char *with_token[] = {CREDS, "AWS_SESSION_TOKEN=TOKEN", "AWS_REGION=us-east-1",
                                "AWS_CA_BUNDLE=/tmp/ca.pem", NULL};
    const char *no_secret[] = {"AWS_ACCESS_KEY_ID=AKID", "AWS_REGION=us-east-1", NULL};
    const char *no_region[] = {CREDS, NULL};
    ddb_err_t err;
    const char *why = NULL;
    ddb_config_t *c = resolve(with_token, &err, &why);
    CHECK(c);
    int ok = strcmp(c->access_key_id, "AKID") == 0 && strcmp(c->secret_access_key, "SECRET") == 0 &&
             c->session_token && strcmp(c->session_token, "TOKEN") == 0 && c->ca_bundle &&
             strcmp(c->ca_bundle, "/tmp/ca.pem") == 0;
    ddb_config_free(c);
    CHECK(ok);
    c = resolve(no_secret, &err, &why);
    CHECK(c == NULL && err == DDB_ERR_CONFIG);
    CHECK(why && strstr(why, "AWS_SECRET_ACCESS_KEY"));
    c = resolve(no_region, &err, &why);
    CHECK(c == NULL && err == DDB_ERR_CONFIG);
    CHECK(why && strstr(why, "AWS_REGION"));
}

static void test_config_endpoint_forms(void)
{
    static const struct {
        const char *url, *host, *path;
        int tls;
    } ok_cases[] = {
        {"http://localhost:80", "localhost", "/", 0},
        {"https://example.com:443/", "example.com", "/", 1},
        {"https://example.com:8443", "example.com:8443", "/", 1},
        {"http://[::1]:8000", "[::1]:8000", "/", 0},
        {"http://127.0.0.1:9000/prefix/ddb", "127.0.0.1:9000", "/prefix/ddb", 0},
    };
    static const char *const bad[] = {"ftp://x", "localhost:8000", "http://", "http://h:port",
                                      "http://user@h"};
    for (size_t i = 0; i < sizeof ok_cases / sizeof *ok_cases; i++) {
        ddb_config_t c = {0};
        ddb_err_t err = ddb_config_set_endpoint(&c, ok_cases[i].url);
        int ok = err == DDB_OK && strcmp(c.host, ok_cases[i].host) == 0 &&
                 strcmp(c.path, ok_cases[i].path) == 0 && c.tls == ok_cases[i].tls;
        if (!ok) fprintf(stderr, "  endpoint %s -> %s %s\n", ok_cases[i].url, c.host, c.path);
        free(c.host);
        free(c.path);
        free(c.endpoint);
        CHECK(ok);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ddb_config_t c = {0};
        CHECK(ddb_config_set_endpoint(&c, bad[i]) == DDB_ERR_CONFIG);
        CHECK(c.host == NULL);
    }
}

static void test_config_max_attempts(void)
{
    const char *five[] = {CREDS, "AWS_REGION=us-east-1", "AWS_MAX_ATTEMPTS=5", NULL};
    const char *zero[] = {CREDS, "AWS_REGION=us-east-1", "AWS_MAX_ATTEMPTS=0", NULL};
    ddb_err_t err;
    const char *why;
    ddb_config_t *c = resolve(five, &err, &why);
    CHECK(c);
    int n = c->max_attempts;
    ddb_config_free(c);
    CHECK(n == 5);
    c = resolve(zero, &err, &why);
    CHECK(c == NULL && err == DDB_ERR_CONFIG);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[n] = '\0';
    fclose(f);
    return buf;
}

static const char *jstr(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* The client's own request builder, fed the botocore vectors' inputs, must
 * produce botocore's Authorization header and send the signed headers. */
static void test_request_matches_botocore(void)
{
    char *text = slurp(VECTORS_FILE);
    CHECK(text);
    cJSON *all = cJSON_Parse(text);
    free(text);
    CHECK(cJSON_IsArray(all));
    int n = 0, bad = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, all)
    {
        const char *target = jstr(v, "target");
        const char *op = strchr(target, '.') + 1;
        const char *token = jstr(v, "session_token");
        const char *body = jstr(v, "body");
        char vars[6][600];
        const char *env[7];
        snprintf(vars[0], sizeof vars[0], "AWS_ACCESS_KEY_ID=%s", jstr(v, "access_key_id"));
        snprintf(vars[1], sizeof vars[1], "AWS_SECRET_ACCESS_KEY=%s", jstr(v, "secret"));
        snprintf(vars[2], sizeof vars[2], "AWS_REGION=%s", jstr(v, "region"));
        snprintf(vars[3], sizeof vars[3], "AWS_ENDPOINT_URL_DYNAMODB=%s", jstr(v, "url"));
        snprintf(vars[4], sizeof vars[4], "AWS_SESSION_TOKEN=%s", token ? token : "");
        for (int i = 0; i < 5; i++) env[i] = vars[i];
        env[5] = NULL;
        ddb_err_t err;
        const char *why;
        ddb_config_t *cfg = resolve(env, &err, &why);
        ddb_request_t req = {0};
        ddb_signing_cache_t cache = {0};
        n++;
        if (!cfg || ddb_request_build(cfg, jstr(v, "amz_date"), op, body, strlen(body), &cache,
                                      &req) != DDB_OK) {
            bad++;
        } else {
            /* Twice: the second time from the cached signing key. */
            ddb_request_t again = {0};
            const char *want = jstr(v, "authorization");
            int has_token = 0;
            for (size_t i = 0; i < req.n_lines; i++)
                has_token |= strncmp(req.lines[i], "X-Amz-Security-Token: ", 22) == 0;
            if (strcmp(req.authorization, want) != 0 || has_token != (token != NULL) ||
                ddb_request_build(cfg, jstr(v, "amz_date"), op, body, strlen(body), &cache,
                                  &again) != DDB_OK ||
                strcmp(again.authorization, want) != 0) {
                fprintf(stderr, "  %s %s\n    got:  %s\n    want: %s\n", jstr(v, "url"), op,
                        req.authorization, want);
                bad++;
            }
            ddb_request_free(&again);
        }
        ddb_request_free(&req);
        ddb_config_free(cfg);
    }
    cJSON_Delete(all);
    CHECK(n >= 5);
    CHECK(bad == 0);
}

static void test_crc32(void)
{
    CHECK(ddb_crc32_matches("2745614147", "{}", 2));
    CHECK(ddb_crc32_matches("1315925753", "{\"TableNames\":[]}", 17));
    CHECK(ddb_crc32_matches("0", "", 0));
    CHECK(!ddb_crc32_matches("2745614148", "{}", 2));
    CHECK(!ddb_crc32_matches("1315925753", "{\"TableNames\":[1]}", 18));
    CHECK(!ddb_crc32_matches("abc", "{}", 2));
    CHECK(!ddb_crc32_matches("", "{}", 2));
    CHECK(!ddb_crc32_matches("99999999999", "{}", 2));
    CHECK(!ddb_crc32_matches("-1", "{}", 2));
}

static void set_body(ddb_response_t *r, long status, const char *body)
{
    ddb_response_reset(r);
    r->status = status;
    r->body = strdup(body);
    r->body_len = strlen(body);
}

static void test_error_document(void)
{
    ddb_response_t r = {0};
    set_body(&r, 400,
             "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
             "\"message\":\"Requested resource not found\"}");
    ddb_response_parse_error(&r);
    int ok = strcmp(r.error_type, "ResourceNotFoundException") == 0 &&
             strcmp(r.error_message, "Requested resource not found") == 0;
    set_body(&r, 400,
             "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"Message\":\"bad\"}");
    ddb_response_parse_error(&r);
    ok = ok && strcmp(r.error_type, "ValidationException") == 0 &&
         strcmp(r.error_message, "bad") == 0;
    set_body(&r, 503, "<html>Service Unavailable</html>");
    ddb_response_parse_error(&r);
    ok = ok && strcmp(r.error_type, "HttpStatus503") == 0 && strstr(r.error_message, "503");
    ddb_response_reset(&r);
    CHECK(ok);
    CHECK(r.body == NULL);
}

static void test_retry_classify(void)
{
    CHECK(ddb_retry_classify(DDB_OK, 200, NULL) == DDB_RETRY_NONE);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 400, "ProvisionedThroughputExceededException") ==
          DDB_RETRY_THROTTLING);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 400, "ThrottlingException") == DDB_RETRY_THROTTLING);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 400, "RequestLimitExceeded") == DDB_RETRY_THROTTLING);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 400, "TransactionInProgressException") ==
          DDB_RETRY_THROTTLING);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 400, "RequestTimeoutException") ==
          DDB_RETRY_TRANSIENT);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 500, "InternalServerError") == DDB_RETRY_TRANSIENT);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 502, "HttpStatus502") == DDB_RETRY_TRANSIENT);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 503, NULL) == DDB_RETRY_TRANSIENT);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 504, NULL) == DDB_RETRY_TRANSIENT);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 501, NULL) == DDB_RETRY_NONE);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 400, "ValidationException") == DDB_RETRY_NONE);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 400, "ConditionalCheckFailedException") ==
          DDB_RETRY_NONE);
    CHECK(ddb_retry_classify(DDB_ERR_SERVICE, 400, "ResourceNotFoundException") == DDB_RETRY_NONE);
    CHECK(ddb_retry_classify(DDB_ERR_TRANSPORT, 0, "ConnectionError") == DDB_RETRY_TRANSIENT);
    CHECK(ddb_retry_classify(DDB_ERR_CRC32, 200, NULL) == DDB_RETRY_TRANSIENT);
    CHECK(ddb_retry_classify(DDB_ERR_TOOBIG, 200, NULL) == DDB_RETRY_NONE);
    CHECK(ddb_retry_classify(DDB_ERR_SIGN, 0, NULL) == DDB_RETRY_NONE);
}

static void test_retry_delay(void)
{
    /* transient: 25 ms scale, doubling */
    CHECK(ddb_retry_delay_us(DDB_RETRY_TRANSIENT, 1, 0.5) == 12500);
    CHECK(ddb_retry_delay_us(DDB_RETRY_TRANSIENT, 2, 0.5) == 25000);
    CHECK(ddb_retry_delay_us(DDB_RETRY_TRANSIENT, 3, 0.5) == 50000);
    /* throttling: 1 s scale */
    CHECK(ddb_retry_delay_us(DDB_RETRY_THROTTLING, 1, 0.5) == 500000);
    CHECK(ddb_retry_delay_us(DDB_RETRY_THROTTLING, 3, 0.25) == 1000000);
    /* capped at 20 s, jitter from 0 */
    CHECK(ddb_retry_delay_us(DDB_RETRY_THROTTLING, 30, 0.5) == 10000000);
    CHECK(ddb_retry_delay_us(DDB_RETRY_THROTTLING, 5, 0.0) == 0);
    CHECK(ddb_retry_delay_us(DDB_RETRY_THROTTLING, 30, 1.5) < 20000000);
}

static void test_retry_quota(void)
{
    ddb_retry_quota_t q;
    ddb_retry_quota_init(&q);
    int taken = 0, retries = 0;
    while (ddb_retry_quota_acquire(&q, 0)) retries++;
    CHECK(retries == DDB_RETRY_QUOTA_MAX / DDB_RETRY_COST);
    CHECK(ddb_retry_quota_acquire(&q, 1) == 0);
    ddb_retry_quota_release(&q, 0); /* a success without retries gives back 1 */
    CHECK(q.available == 1);
    ddb_retry_quota_init(&q);
    taken = ddb_retry_quota_acquire(&q, 1);
    CHECK(taken == DDB_RETRY_TIMEOUT_COST);
    ddb_retry_quota_release(&q, taken);
    CHECK(q.available == DDB_RETRY_QUOTA_MAX);
}

int main(int argc, char **argv)
{
    static const test_case_t cases[] = {
        TEST_CASE(test_config_default_endpoint),
        TEST_CASE(test_config_endpoint_precedence),
        TEST_CASE(test_config_region_precedence),
        TEST_CASE(test_config_credentials),
        TEST_CASE(test_config_endpoint_forms),
        TEST_CASE(test_config_max_attempts),
        TEST_CASE(test_request_matches_botocore),
        TEST_CASE(test_crc32),
        TEST_CASE(test_error_document),
        TEST_CASE(test_retry_classify),
        TEST_CASE(test_retry_delay),
        TEST_CASE(test_retry_quota),
    };
    return test_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
