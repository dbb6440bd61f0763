/* Unit tests of bench-ddb's pure modules: percentiles, /proc parsing,
 * request bodies and answer checks, the result file, the side-by-side
 * report. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procmem.h"
#include "report.h"
#include "result.h"
#include "stats.h"
#include "test.h"
#include "workload.h"

/* ---- stats ---- */

static void stats_nearest_rank(void)
{
    uint64_t s[100];
    for (int i = 0; i < 100; i++) s[i] = (uint64_t)(100 - i) * 1000; /* 100..1 us, reversed */
    stats_summary_t out;
    CHECK(stats_summarize(s, 100, &out) == STATS_OK);
    CHECK(out.count == 100);
    CHECK(out.min_us == 1.0 && out.max_us == 100.0);
    CHECK(out.p50_us == 50.0); /* rank ceil(0.5 * 100) = 50 */
    CHECK(out.p99_us == 99.0); /* rank 99, not 100 */
    CHECK(out.mean_us == 50.5);
    /* 100 requests taking 5050 us in all: 19801.98 ops/s */
    CHECK(out.ops_per_s > 19801.9 && out.ops_per_s < 19802.0);
}

static void stats_small_sets(void)
{
    uint64_t one[] = {7000};
    stats_summary_t out;
    CHECK(stats_summarize(one, 1, &out) == STATS_OK);
    CHECK(out.p50_us == 7.0 && out.p99_us == 7.0);
    uint64_t three[] = {3000, 1000, 2000};
    CHECK(stats_summarize(three, 3, &out) == STATS_OK);
    CHECK(out.p50_us == 2.0); /* rank ceil(1.5) = 2 */
    CHECK(out.p99_us == 3.0);
    CHECK(stats_summarize(three, 0, &out) == STATS_EEMPTY);
}

static void stats_percentile_outlier(void)
{
    /* One slow request in 1000 shows at p99.9, not at p99. */
    uint64_t s[1000];
    for (int i = 0; i < 1000; i++) s[i] = 10;
    s[999] = 1000000;
    CHECK(stats_percentile(s, 1000, 99) == 10);
    CHECK(stats_percentile(s, 1000, 100) == 1000000);
}

/* ---- procmem ---- */

static void procmem_parses_status(void)
{
    const char *text = "Name:\tpython3.11\nUmask:\t0022\nState:\tS (sleeping)\n"
                       "VmPeak:\t  300000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   80000 kB\n"
                       "Threads:\t3\n";
    procmem_t m;
    CHECK(procmem_parse(text, &m) == PROCMEM_OK);
    CHECK(m.rss_kb == 80000);
    CHECK(m.hwm_kb == 81234);
    CHECK_STR(m.name, "python3.11");
}

static void procmem_rejects_missing(void)
{
    procmem_t m = {.rss_kb = 42};
    CHECK(procmem_parse("Name:\tx\nVmHWM:\t 10 kB\n", &m) == PROCMEM_EFORMAT);
    CHECK(m.rss_kb == 42); /* untouched on failure */
    CHECK(procmem_parse("VmRSS:\t 10 MB\nVmHWM:\t 10 kB\n", &m) == PROCMEM_EFORMAT);
    /* A key that merely starts like the one wanted does not count. */
    CHECK(procmem_parse("VmRSSx:\t 10 kB\nVmHWM:\t 10 kB\n", &m) == PROCMEM_EFORMAT);
}

static void procmem_reads_self(void)
{
    procmem_t m;
    CHECK(procmem_read(getpid(), &m) == PROCMEM_OK);
    CHECK(m.rss_kb > 0 && m.hwm_kb >= m.rss_kb);
    CHECK(procmem_read(0x7ffffff0, &m) == PROCMEM_ENOPROC);
}

/* ---- workload: bodies ---- */

static void workload_create_table_body(void)
{
    char *body = NULL;
    CHECK(work_create_table(&body) == WORK_OK);
    cJSON *r = cJSON_Parse(body);
    free(body);
    CHECK(r);
    int ok = cJSON_IsString(cJSON_GetObjectItem(r, "TableName")) &&
             strcmp(cJSON_GetObjectItem(r, "TableName")->valuestring, "lambda-rust-bench") == 0;
    cJSON *schema = cJSON_GetObjectItem(r, "KeySchema");
    ok = ok && cJSON_GetArraySize(schema) == 2 &&
         strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(schema, 0), "KeyType")->valuestring,
                "HASH") == 0 &&
         strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(schema, 1), "AttributeName")->valuestring,
                "sk") == 0;
    cJSON_Delete(r);
    CHECK(ok);
}

static void workload_put_body_is_1kb(void)
{
    char *body = NULL;
    CHECK(work_put_item("bench", "item-000000", &body) == WORK_OK);
    cJSON *r = cJSON_Parse(body);
    size_t len = strlen(body);
    free(body);
    CHECK(r);
    cJSON *item = cJSON_GetObjectItem(r, "Item");
    const char *data = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "data"), "S")->valuestring;
    const char *ts = cJSON_GetObjectItem(cJSON_GetObjectItem(item, "timestamp"), "N")->valuestring;
    int ok = strlen(data) == WORK_DATA_BYTES && strspn(data, "x") == WORK_DATA_BYTES &&
             strspn(ts, "0123456789") == strlen(ts);
    cJSON_Delete(r);
    CHECK(ok);
    CHECK(len > 1000 && len < 1200);
}

static void workload_batch_body(void)
{
    char *body = NULL;
    CHECK(work_batch_write("p", "s-", 10, 25, 0, &body) == WORK_OK);
    cJSON *r = cJSON_Parse(body);
    free(body);
    CHECK(r);
    cJSON *reqs = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "RequestItems"), WORK_TABLE);
    int n = cJSON_GetArraySize(reqs);
    cJSON *last = cJSON_GetArrayItem(reqs, 24);
    const char *sk =
        cJSON_GetObjectItem(
            cJSON_GetObjectItem(
                cJSON_GetObjectItem(cJSON_GetObjectItem(last, "PutRequest"), "Item"), "sk"),
            "S")
            ->valuestring;
    int ok = n == 25 && strcmp(sk, "s-000034") == 0;
    cJSON_Delete(r);
    CHECK(ok);
    CHECK(work_batch_write("p", "s-", 0, 26, 0, &body) == WORK_ESHAPE); /* DynamoDB's limit */
    CHECK(work_batch_write("p", "s-", 0, 0, 0, &body) == WORK_ESHAPE);
}

static void workload_query_body(void)
{
    char *body = NULL;
    CHECK(work_query("bench", &body) == WORK_OK);
    cJSON *r = cJSON_Parse(body);
    free(body);
    CHECK(r);
    cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "ExpressionAttributeValues"), ":pk");
    int ok =
        strcmp(cJSON_GetObjectItem(r, "KeyConditionExpression")->valuestring, "pk = :pk") == 0 &&
        strcmp(cJSON_GetObjectItem(v, "S")->valuestring, "bench") == 0;
    cJSON_Delete(r);
    CHECK(ok);
}

/* ---- workload: checks ---- */

/* An answer item as DynamoDB returns it. */
static char *item_json(const char *sk, size_t data_len)
{
    char *data = malloc(data_len + 1);
    memset(data, 'x', data_len);
    data[data_len] = '\0';
    char *out = malloc(data_len + 200);
    sprintf(out,
            "{\"pk\":{\"S\":\"bench\"},\"sk\":{\"S\":\"%s\"},\"data\":{\"S\":\"%s\"},"
            "\"timestamp\":{\"N\":\"1767225600\"}}",
            sk, data);
    free(data);
    return out;
}

static void workload_check_get(void)
{
    char why[200];
    char *item = item_json("item-000003", WORK_DATA_BYTES);
    char body[2048];
    snprintf(body, sizeof body, "{\"Item\":%s}", item);
    free(item);
    CHECK(work_check_get(200, body, "item-000003", why, sizeof why) == WORK_OK);
    /* The wrong item, a missing one, a truncated one, an error. */
    CHECK(work_check_get(200, body, "item-000004", why, sizeof why) == WORK_ESHAPE);
    CHECK(work_check_get(200, "{}", "item-000003", why, sizeof why) == WORK_ESHAPE);
    item = item_json("item-000003", 10);
    snprintf(body, sizeof body, "{\"Item\":%s}", item);
    free(item);
    CHECK(work_check_get(200, body, "item-000003", why, sizeof why) == WORK_ESHAPE);
    CHECK(work_check_get(400,
                         "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                         "ResourceNotFoundException\",\"message\":\"Requested resource not "
                         "found\"}",
                         "item-000003", why, sizeof why) == WORK_ESTATUS);
    CHECK(strstr(why, "ResourceNotFoundException") && strstr(why, "HTTP 400"));
    CHECK(work_check_get(200, "not json", "item-000003", why, sizeof why) == WORK_EJSON);
}

/* A Query answer with n items (count claimed separately). */
static char *query_json(int n, int count, size_t data_len)
{
    size_t cap = (size_t)n * (data_len + 200) + 200;
    char *out = malloc(cap);
    size_t len = (size_t)sprintf(out, "{\"Items\":[");
    for (int i = 0; i < n; i++) {
        char sk[32];
        snprintf(sk, sizeof sk, "item-%06d", i);
        char *item = item_json(sk, data_len);
        len += (size_t)sprintf(out + len, "%s%s", i ? "," : "", item);
        free(item);
    }
    sprintf(out + len, "],\"Count\":%d,\"ScannedCount\":%d}", count, count);
    return out;
}

static void workload_check_query(void)
{
    char why[200];
    char *body = query_json(25, 25, WORK_DATA_BYTES);
    CHECK(work_check_query(200, body, 25, why, sizeof why) == WORK_OK);
    free(body);
    body = query_json(24, 24, WORK_DATA_BYTES); /* a server that lost an item */
    work_err_t e = work_check_query(200, body, 25, why, sizeof why);
    free(body);
    CHECK(e == WORK_ESHAPE);
    body = query_json(24, 25, WORK_DATA_BYTES); /* claims 25, returns 24 */
    e = work_check_query(200, body, 25, why, sizeof why);
    free(body);
    CHECK(e == WORK_ESHAPE);
    body = query_json(25, 25, 3); /* items without their data */
    e = work_check_query(200, body, 25, why, sizeof why);
    free(body);
    CHECK(e == WORK_ESHAPE);
    CHECK(work_check_query(500, "", 25, why, sizeof why) == WORK_ESTATUS);
}

static void workload_check_batch_put_table(void)
{
    char why[200];
    CHECK(work_check_batch(200, "{\"UnprocessedItems\":{}}", why, sizeof why) == WORK_OK);
    CHECK(work_check_batch(200, "{}", why, sizeof why) == WORK_ESHAPE);
    CHECK(work_check_batch(200, "{\"UnprocessedItems\":{\"lambda-rust-bench\":[{}]}}", why,
                           sizeof why) == WORK_ESHAPE);
    CHECK(work_check_write(200, "{}", why, sizeof why) == WORK_OK);
    CHECK(work_check_write(200, "[]", why, sizeof why) == WORK_EJSON);
    CHECK(work_check_write(400, "{}", why, sizeof why) == WORK_ESTATUS);
    int active = -1;
    CHECK(work_check_table(200, "{\"TableDescription\":{\"TableStatus\":\"CREATING\"}}", &active,
                           why, sizeof why) == WORK_OK);
    CHECK(active == 0);
    CHECK(work_check_table(200, "{\"Table\":{\"TableStatus\":\"ACTIVE\"}}", &active, why,
                           sizeof why) == WORK_OK);
    CHECK(active == 1);
    CHECK(work_check_table(200, "{\"Table\":{}}", &active, why, sizeof why) == WORK_ESHAPE);
}

/* ---- result and report ---- */

static result_t sample_result(const char *server, double p50_scale, long rss_kb)
{
    result_t r;
    result_init(&r, server);
    r.startup_ms = 12.5 * p50_scale;
    r.connections = 1;
    r.items = 15000;
    r.rss_kb = rss_kb;
    r.hwm_kb = rss_kb + 100;
    r.idle_rss_kb = rss_kb / 4;
    snprintf(r.process, sizeof r.process, "proc-%s", server);
    for (int op = 0; op < RESULT_NOPS; op++) {
        r.ops[op].measured = 1;
        r.ops[op].count = 1000;
        r.ops[op].p50_us = (op + 1) * 10.0 * p50_scale;
        r.ops[op].p99_us = (op + 1) * 20.0 * p50_scale;
        r.ops[op].ops_per_s = 1e6 / r.ops[op].p50_us;
    }
    return r;
}

static void result_round_trip(void)
{
    result_t r = sample_result("moto", 3, 80000);
    r.ops[RESULT_QUERY].failed = 1;
    r.failed = 1;
    snprintf(r.note, sizeof r.note, "Query: Count is 24,\nexpected 25");
    FILE *f = tmpfile();
    CHECK(f);
    CHECK(result_write(f, &r) == RESULT_OK);
    rewind(f);
    result_t back;
    result_err_t e = result_read(f, &back);
    fclose(f);
    CHECK(e == RESULT_OK);
    CHECK_STR(back.server, "moto");
    CHECK(back.failed == 1 && back.skipped == 0);
    CHECK(back.startup_ms == 37.5);
    CHECK(back.rss_kb == 80000 && back.hwm_kb == 80100 && back.idle_rss_kb == 20000);
    CHECK(back.items == 15000);
    CHECK_STR(back.process, "proc-moto");
    CHECK(back.ops[RESULT_QUERY].failed == 1 && back.ops[RESULT_GET].failed == 0);
    CHECK(back.ops[RESULT_BATCH].p99_us == 300.0);
    CHECK_STR(back.note, "Query: Count is 24, expected 25");
}

static void result_rejects_garbage(void)
{
    const char *bad[] = {"", "server x\n", "server x\nbogus 1\nend\n",
                         "server x\nop NoSuchOp ok 1 1 1 1\nend\n", "state ok\nend\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        FILE *f = tmpfile();
        CHECK(f);
        fputs(bad[i], f);
        rewind(f);
        result_t r;
        result_err_t e = result_read(f, &r);
        fclose(f);
        CHECK(e == RESULT_EFORMAT);
    }
}

/* The report's text, for searching. */
static char *render(const result_t *rs, size_t n, const char *subject)
{
    FILE *f = tmpfile();
    report_print(f, rs, n, subject);
    long len = ftell(f);
    rewind(f);
    char *text = calloc(1, (size_t)len + 1);
    size_t got = fread(text, 1, (size_t)len, f);
    text[got] = '\0';
    fclose(f);
    return text;
}

static void report_speedup_picks_fastest_valid_peer(void)
{
    result_t rs[3] = {sample_result("shim", 1, 20000), sample_result("moto", 100, 90000),
                      sample_result("dynalite", 20, 60000)};
    size_t peer = 99;
    CHECK(report_speedup(rs, 3, 0, RESULT_GET, &peer) == 20.0);
    CHECK(peer == 2);
    /* A peer whose answers failed their checks is never the fastest. */
    rs[2].ops[RESULT_GET].failed = 1;
    CHECK(report_speedup(rs, 3, 0, RESULT_GET, &peer) == 100.0);
    CHECK(peer == 1);
    /* Nor is one that was skipped; with no valid peer there is no ratio. */
    rs[1].skipped = 1;
    CHECK(report_speedup(rs, 3, 0, RESULT_GET, &peer) == 0.0);
    /* A failing subject has no ratio either. */
    rs[1].skipped = 0;
    rs[0].ops[RESULT_PUT].failed = 1;
    CHECK(report_speedup(rs, 3, 0, RESULT_PUT, &peer) == 0.0);
}

static void report_table_text(void)
{
    result_t rs[3] = {sample_result("shim", 1, 20000), sample_result("moto", 100, 90000),
                      sample_result("dynalite", 20, 60000)};
    rs[1].ops[RESULT_QUERY].failed = 1;
    rs[1].failed = 1;
    snprintf(rs[1].note, sizeof rs[1].note, "Query: Count is 0, expected 25");
    char *text = render(rs, 3, "shim");
    int ok = strstr(text, "shim") && strstr(text, "moto") && strstr(text, "dynalite") &&
             strstr(text, "FAIL") &&                    /* moto's failed Query */
             strstr(text, "20.0x faster (dynalite)") && /* GetItem p50 vs dynalite */
             strstr(text, "3.0x smaller (dynalite)") && /* RSS 19.5 MB vs 58.6 MB */
             strstr(text, "<= 30 MB: met") && strstr(text, "p50 <= 60 us: met") &&
             strstr(text, "moto: FAILED") && strstr(text, "Count is 0, expected 25");
    if (!ok) fprintf(stderr, "%s", text);
    free(text);
    CHECK(ok);
}

static void report_goals_missed(void)
{
    result_t rs[2] = {sample_result("shim", 10, 40000), sample_result("moto", 50, 90000)};
    char *text = render(rs, 2, "shim");
    /* GetItem p50 200 us against a 60 us goal, 5x faster than moto against 10x. */
    int ok = strstr(text, "p50 <= 60 us: missed; >= 10x: missed") &&
             strstr(text, "<= 30 MB: missed") && strstr(text, "5.0x faster (moto)");
    if (!ok) fprintf(stderr, "%s", text);
    free(text);
    CHECK(ok);
}

static void report_skipped_column(void)
{
    result_t rs[2] = {sample_result("shim", 1, 20000), sample_result("ddb-local", 1, 0)};
    rs[1].skipped = 1;
    snprintf(rs[1].note, sizeof rs[1].note, "java not found");
    char *text = render(rs, 2, "shim");
    int ok = strstr(text, "ddb-local: skipped; java not found") != NULL;
    if (!ok) fprintf(stderr, "%s", text);
    free(text);
    CHECK(ok);
}

static void report_partial_load_has_no_memory_figure(void)
{
    result_t rs[2] = {sample_result("shim", 1, 20000), sample_result("slow", 1, 10000)};
    rs[1].items = 9000; /* stopped early: 10 MB after 9000 items says nothing */
    rs[1].failed = 1;
    char *text = render(rs, 2, "shim");
    const char *row = strstr(text, "RSS after the load");
    char line[256] = "";
    if (row) sscanf(row, "%255[^\n]", line);
    int ok = row && strstr(line, "19.5") && strstr(line, "           -") && !strstr(line, "9.8");
    if (!ok) fprintf(stderr, "%s", text);
    free(text);
    CHECK(ok);
}

static void report_unmeasured_is_a_dash(void)
{
    /* A server reached by --url, without --pid: no start-up, no memory. */
    result_t rs[1] = {sample_result("byurl", 1, 0)};
    rs[0].startup_ms = -1;
    rs[0].rss_kb = rs[0].hwm_kb = rs[0].idle_rss_kb = -1;
    char *text = render(rs, 1, NULL);
    const char *row = strstr(text, "RSS after the load");
    const char *start = strstr(text, "start-up to first answer");
    int ok = row && start && !strstr(text, "FAIL") &&
             strstr(row, " -\n") == strchr(row, '\n') - 2 &&
             strstr(start, " -\n") == strchr(start, '\n') - 2;
    if (!ok) fprintf(stderr, "%s", text);
    free(text);
    CHECK(ok);
}

int main(int argc, char **argv)
{
    static const test_case_t cases[] = {
        TEST_CASE(stats_nearest_rank),
        TEST_CASE(stats_small_sets),
        TEST_CASE(stats_percentile_outlier),
        TEST_CASE(procmem_parses_status),
        TEST_CASE(procmem_rejects_missing),
        TEST_CASE(procmem_reads_self),
        TEST_CASE(workload_create_table_body),
        TEST_CASE(workload_put_body_is_1kb),
        TEST_CASE(workload_batch_body),
        TEST_CASE(workload_query_body),
        TEST_CASE(workload_check_get),
        TEST_CASE(workload_check_query),
        TEST_CASE(workload_check_batch_put_table),
        TEST_CASE(result_round_trip),
        TEST_CASE(result_rejects_garbage),
        TEST_CASE(report_speedup_picks_fastest_valid_peer),
        TEST_CASE(report_table_text),
        TEST_CASE(report_goals_missed),
        TEST_CASE(report_skipped_column),
        TEST_CASE(report_unmeasured_is_a_dash),
        TEST_CASE(report_partial_load_has_no_memory_figure),
    };
    return test_main(cases, sizeof cases / sizeof *cases, argc, argv);
}
