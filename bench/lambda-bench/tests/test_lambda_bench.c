/* Unit tests of lambda-bench's pure modules: the REPORT line, statistics,
 * tables and the JSON report, on fixed inputs. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_report.h"
#include "report_line.h"
#include "samples.h"
#include "table.h"
#include "test.h"

/* base64 of "START ...\nEND ...\nREPORT RequestId: ...Init Duration: 15.10 ms\n" */
static char *b64(const char *text)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(text);
    char *out = malloc(n / 3 * 4 + 5), *o = out;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

static const char COLD_TAIL[] =
    "START RequestId: 1111 Version: $LATEST\n"
    "END RequestId: 1111\n"
    "REPORT RequestId: 1111\tDuration: 0.88 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\t"
    "Max Memory Used: 3 MB\tInit Duration: 14.46 ms\t\n";

static void report_cold_line(void)
{
    char *enc = b64(COLD_TAIL), *tail = NULL;
    rline_report_t r;
    CHECK(rline_decode_tail(enc, &tail) == RLINE_OK);
    free(enc);
    CHECK_STR(tail, COLD_TAIL);
    rline_err_t e = rline_parse(tail, &r);
    free(tail);
    CHECK(e == RLINE_OK);
    CHECK_STR(r.request_id, "1111");
    CHECK(r.duration_ms == 0.88 && r.billed_ms == 16 && r.memory_size_mb == 128);
    CHECK(r.max_memory_mb == 3 && r.has_init && r.init_ms == 14.46);
}

static void report_last_line_wins(void)
{
    const char *tail = "REPORT RequestId: a\tDuration: 5.00 ms\tBilled Duration: 5 ms\t"
                       "Memory Size: 128 MB\tMax Memory Used: 9 MB\tInit Duration: 1.00 ms\n"
                       "log line mentioning REPORT RequestId: x\n"
                       "REPORT RequestId: b\tDuration: 0.25 ms\tBilled Duration: 1 ms\t"
                       "Memory Size: 256 MB\tMax Memory Used: 10 MB\t\n";
    rline_report_t r;
    CHECK(rline_parse(tail, &r) == RLINE_OK);
    CHECK_STR(r.request_id, "b");
    CHECK(r.duration_ms == 0.25 && !r.has_init && r.memory_size_mb == 256);
}

static void report_errors(void)
{
    rline_report_t r;
    char *t = NULL;
    CHECK(rline_parse("START RequestId: 1\nEND RequestId: 1\n", &r) == RLINE_ERR_NOREPORT);
    CHECK(rline_parse("REPORT RequestId: 1\tDuration: 1 ms\tMemory Size: 128 MB\t"
                      "Max Memory Used: 3 MB\n",
                      &r) == RLINE_ERR_FIELD); /* no Billed Duration */
    CHECK(rline_decode_tail("not*base64", &t) == RLINE_ERR_BASE64 && t == NULL);
    CHECK(rline_decode_tail("QUJD", &t) == RLINE_OK);
    CHECK_STR(t, "ABC");
    free(t);
    char *big = malloc(RLINE_TAIL_CAP + 8);
    memset(big, 'A', RLINE_TAIL_CAP + 4);
    big[RLINE_TAIL_CAP + 4] = '\0';
    rline_err_t e = rline_decode_tail(big, &t);
    free(big);
    CHECK(e == RLINE_ERR_TOOBIG);
}

static void samples_percentiles(void)
{
    samples_t s = {0};
    samples_summary_t sum;
    CHECK(samples_summarize(&s, &sum) == SAMPLES_ERR_EMPTY);
    for (int i = 100; i >= 1; i--) CHECK(samples_add(&s, i) == SAMPLES_OK);
    samples_err_t e = samples_summarize(&s, &sum);
    double first = s.v[0];
    samples_free(&s);
    CHECK(e == SAMPLES_OK);
    CHECK(first == 100); /* not reordered */
    CHECK(sum.count == 100 && sum.min == 1 && sum.max == 100);
    CHECK(sum.p50 == 50 && sum.p90 == 90 && sum.p99 == 99 && sum.mean == 50.5);
    double one[1] = {7};
    CHECK(samples_percentile(one, 1, 50) == 7 && samples_percentile(one, 1, 99) == 7);
}

static void table_forms(void)
{
    table_t *t;
    CHECK(table_new("T", 2, &t) == TABLE_OK);
    const char *h[2] = {"op", "C"}, *r[2] = {"get", "1.5×"};
    CHECK(table_add_row(t, h) == TABLE_OK && table_add_row(t, r) == TABLE_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    table_print_markdown(t, f);
    table_print_text(t, f);
    fclose(f);
    table_free(t);
    int ok = strstr(buf, "| op | C |\n|---|---:|\n| get | 1.5× |\n") != NULL &&
             strstr(buf, "op      C\n---------\nget  1.5×\n") != NULL;
    free(buf);
    CHECK(ok);
}

static run_invocation_t inv(const char *id, double dur, double init, double sdk)
{
    run_invocation_t i;
    memset(&i, 0, sizeof i);
    snprintf(i.request_id, sizeof i.request_id, "%s", id);
    i.duration_ms = dur;
    i.billed_ms = ceil(dur + (init > 0 ? init : 0));
    i.max_memory_mb = 3;
    i.init_ms = init;
    i.sdk_call_ms = sdk;
    i.serialize_ms = 0.01;
    i.connect_ms = -1;
    i.client_ms = dur + 0.1;
    return i;
}

static void json_and_tables(void)
{
    run_function_t c, py;
    memset(&c, 0, sizeof c);
    memset(&py, 0, sizeof py);
    snprintf(c.name, sizeof c.name, "bench-c");
    snprintf(py.name, sizeof py.name, "bench-python");
    c.memory_size_mb = py.memory_size_mb = 128;
    run_cold_t cc = {inv("c1", 2, 20, 1), inv("c2", 0.5, -1, 0.25)};
    run_cold_t pc = {inv("p1", 40, 3000, 30), inv("p2", 3, -1, 2)};
    c.cold.runs = &cc;
    c.cold.n = 1;
    py.cold.runs = &pc;
    py.cold.n = 1;
    run_invocation_t ci[2] = {inv("c3", 0.3, -1, 0.2), inv("c4", 0.5, -1, 0.4)};
    run_invocation_t pi[2] = {inv("p3", 2, -1, 1.0), inv("p4", 3, -1, 2.0)};
    c.n_ops = py.n_ops = 1;
    snprintf(c.ops[0].name, sizeof c.ops[0].name, "get");
    snprintf(py.ops[0].name, sizeof py.ops[0].name, "get");
    c.ops[0].inv = ci;
    c.ops[0].n = 2;
    py.ops[0].inv = pi;
    py.ops[0].n = 2;
    const char *ops[1] = {"get"};
    const char *labels[1] = {"network_model=none"};
    report_input_t in = {.c = &c,
                         .python = &py,
                         .endpoint = "http://127.0.0.1:1",
                         .region = "us-east-1",
                         .cold_starts = 1,
                         .warm_invokes = 2,
                         .cold_op = "get",
                         .ops = ops,
                         .n_ops = 1,
                         .labels = labels,
                         .n_labels = 1,
                         .started_at = "2026-01-01T00:00:00Z"};
    table_t *tables[REPORT_MAX_TABLES];
    size_t n = 0;
    CHECK(report_tables(&in, tables, &n) == REPORT_OK);
    int ok = n == 2 && strcmp(table_cell(tables[0], 1, 0), "Init Duration (ms)") == 0 &&
             strcmp(table_cell(tables[0], 1, 3), "150.0×") == 0 &&
             strcmp(table_cell(tables[1], 1, 0), "get") == 0 &&
             strcmp(table_cell(tables[1], 1, 1), "0.200 / 0.400 / 0.400") == 0 &&
             strcmp(table_cell(tables[1], 1, 3), "5.0×") == 0;
    report_tables_free(tables, n);
    CHECK(ok);

    char path[] = "/tmp/lambda-bench-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    report_err_t e = report_write_json(&in, path);
    FILE *f = fopen(path, "r");
    char buf[65536];
    size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    unlink(path);
    buf[len] = '\0';
    CHECK(e == REPORT_OK);
    cJSON *doc = cJSON_Parse(buf);
    CHECK(doc != NULL);
    const cJSON *fc = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "functions"), "c");
    const cJSON *init = cJSON_GetObjectItem(
        cJSON_GetObjectItem(
            cJSON_GetObjectItem(
                cJSON_GetObjectItem(cJSON_GetObjectItem(fc, "cold_starts"), "as_deployed"),
                "first"),
            "init_ms"),
        "p50");
    const cJSON *ratio = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "ratios"), "warm_sdk_call_p50"), "get");
    const cJSON *label = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "labels"), "network_model");
    ok = cJSON_IsNumber(init) && init->valuedouble == 20 && cJSON_IsNumber(ratio) &&
         ratio->valuedouble == 5 && cJSON_IsString(label) &&
         strcmp(label->valuestring, "none") == 0 &&
         strcmp(cJSON_GetObjectItem(doc, "schema")->valuestring, "lambda-bench/1") == 0;
    cJSON_Delete(doc);
    CHECK(ok);
}

int main(int argc, char **argv)
{
    static const test_case_t cases[] = {
        TEST_CASE(report_cold_line), TEST_CASE(report_last_line_wins),
        TEST_CASE(report_errors),    TEST_CASE(samples_percentiles),
        TEST_CASE(table_forms),      TEST_CASE(json_and_tables),
    };
    return test_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
