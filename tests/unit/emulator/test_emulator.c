/* Unit tests of the emulator's pure parts: REPORT formatting, billed
 * duration, the log tail, base64, Runtime API routing, function references,
 * the error table, exit wording, the CPU share. */
#include "base64.h"
#include "cgroup.h"
#include "functions.h"
#include "invoke_api.h"
#include "report.h"
#include "runtime_api.h"
#include "sandbox.h"
#include "test.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void billed_rounds_up_to_the_millisecond(void)
{
    CHECK(report_billed_ms(1, 0, 0) == 1);
    CHECK(report_billed_ms(1000000, 0, 0) == 1);
    CHECK(report_billed_ms(1000001, 0, 0) == 2);
    CHECK(report_billed_ms(12340000, 0, 0) == 13);
    CHECK(report_billed_ms(0, 0, 0) == 1);
}

static void billed_includes_init_for_provided_runtimes(void)
{
    /* 2.5 ms + 100.25 ms init = 102.75 -> 103 */
    CHECK(report_billed_ms(2500000, 100250000, 1) == 103);
    CHECK(report_billed_ms(2500000, 100250000, 0) == 3);
}

static void report_line_warm(void)
{
    char buf[REPORT_LINE_MAX];
    report_figures_t fig = {.request_id = "6f1b3a2e-0000-4000-8000-000000000001",
                            .duration_ns = 1234567,
                            .memory_size_mb = 128,
                            .max_memory_mb = 18};
    report_report_line(buf, sizeof buf, &fig);
    CHECK_STR(buf, "REPORT RequestId: 6f1b3a2e-0000-4000-8000-000000000001\tDuration: 1.23 ms\t"
                   "Billed Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 18 MB\t\n");
}

static void report_line_cold_puts_init_last(void)
{
    char buf[REPORT_LINE_MAX];
    report_figures_t fig = {.request_id = "id",
                            .duration_ns = 10000000,
                            .init_ns = 150720000,
                            .cold = 1,
                            .bill_init = 1,
                            .memory_size_mb = 512,
                            .max_memory_mb = 40};
    report_report_line(buf, sizeof buf, &fig);
    CHECK_STR(buf, "REPORT RequestId: id\tDuration: 10.00 ms\tBilled Duration: 161 ms\t"
                   "Memory Size: 512 MB\tMax Memory Used: 40 MB\tInit Duration: 150.72 ms\t\n");
    /* A managed runtime does not bill init. */
    fig.bill_init = 0;
    report_report_line(buf, sizeof buf, &fig);
    CHECK(strstr(buf, "Billed Duration: 10 ms\t") != NULL);
}

static void report_line_with_status(void)
{
    char buf[REPORT_LINE_MAX];
    report_figures_t fig = {.request_id = "id",
                            .duration_ns = 3000120000,
                            .memory_size_mb = 128,
                            .max_memory_mb = 128,
                            .status = "error",
                            .error_type = "Runtime.OutOfMemory"};
    report_report_line(buf, sizeof buf, &fig);
    CHECK_STR(buf, "REPORT RequestId: id\tDuration: 3000.12 ms\tBilled Duration: 3001 ms\t"
                   "Memory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\t"
                   "Error Type: Runtime.OutOfMemory\t\n");
}

static void init_report_lines(void)
{
    char buf[REPORT_LINE_MAX];
    report_init_line(buf, sizeof buf, 10000120000, "timeout", NULL);
    CHECK_STR(buf, "INIT_REPORT Init Duration: 10000.12 ms\tPhase: init\tStatus: timeout\n");
    report_init_line(buf, sizeof buf, 3450000, "error", "Runtime.ExitError");
    CHECK_STR(buf, "INIT_REPORT Init Duration: 3.45 ms\tPhase: init\tStatus: error\t"
                   "Error Type: Runtime.ExitError\n");
}

static void start_and_end_lines(void)
{
    char buf[128];
    report_start_line(buf, sizeof buf, "abc", "$LATEST");
    CHECK_STR(buf, "START RequestId: abc Version: $LATEST\n");
    report_end_line(buf, sizeof buf, "abc");
    CHECK_STR(buf, "END RequestId: abc\n");
}

static void memory_in_mb_rounds_up(void)
{
    CHECK(report_bytes_to_mb(0) == 1);
    CHECK(report_bytes_to_mb(1024 * 1024) == 1);
    CHECK(report_bytes_to_mb(1024 * 1024 + 1) == 2);
    CHECK(report_bytes_to_mb((uint64_t)128 * 1024 * 1024) == 128);
}

static void tail_keeps_the_last_4k(void)
{
    static report_tail_t t;
    static char out[REPORT_TAIL_MAX];
    report_tail_reset(&t);
    report_tail_append(&t, "hello ", 6);
    report_tail_append(&t, "world", 5);
    CHECK(report_tail_copy(&t, out) == 11);
    CHECK(memcmp(out, "hello world", 11) == 0);

    /* 10,000 numbered bytes in odd-sized pieces: the last 4096 survive. */
    static char all[10000];
    for (int i = 0; i < 10000; i++) all[i] = (char)('a' + i % 26);
    report_tail_reset(&t);
    for (int off = 0; off < 10000;) {
        int n = 10000 - off < 777 ? 10000 - off : 777;
        report_tail_append(&t, all + off, (size_t)n);
        off += n;
    }
    CHECK(report_tail_copy(&t, out) == REPORT_TAIL_MAX);
    CHECK(memcmp(out, all + 10000 - REPORT_TAIL_MAX, REPORT_TAIL_MAX) == 0);

    /* One write bigger than the tail. */
    report_tail_reset(&t);
    report_tail_append(&t, "x", 1);
    report_tail_append(&t, all, 5000);
    CHECK(report_tail_copy(&t, out) == REPORT_TAIL_MAX);
    CHECK(memcmp(out, all + 5000 - REPORT_TAIL_MAX, REPORT_TAIL_MAX) == 0);
}

static void base64_round_trip(void)
{
    static const struct {
        const char *plain, *enc;
    } v[] = {{"", ""},
             {"f", "Zg=="},
             {"fo", "Zm8="},
             {"foo", "Zm9v"},
             {"foob", "Zm9vYg=="},
             {"fooba", "Zm9vYmE="},
             {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *e = base64_encode(v[i].plain, strlen(v[i].plain));
        CHECK_STR(e, v[i].enc);
        free(e);
        size_t n;
        char *d = base64_decode(v[i].enc, strlen(v[i].enc), &n);
        CHECK(d != NULL);
        CHECK(n == strlen(v[i].plain));
        CHECK_STR(d, v[i].plain);
        free(d);
    }
    size_t n;
    CHECK(base64_decode("Zm9v!", 5, &n) == NULL);
    CHECK(base64_decode("Z", 1, &n) == NULL);
}

static void runtime_api_routes(void)
{
    char id[RAPI_ID_MAX];
    CHECK(rapi_route("GET", "/2018-06-01/runtime/invocation/next", id, sizeof id) == RAPI_NEXT);
    CHECK(rapi_route("POST", "/2018-06-01/runtime/invocation/next", id, sizeof id) ==
          RAPI_BAD_METHOD);
    CHECK(rapi_route("POST", "/2018-06-01/runtime/invocation/abc-1/response", id, sizeof id) ==
          RAPI_RESPONSE);
    CHECK_STR(id, "abc-1");
    CHECK(rapi_route("POST", "/2018-06-01/runtime/invocation/xyz/error", id, sizeof id) ==
          RAPI_ERROR);
    CHECK_STR(id, "xyz");
    CHECK(rapi_route("POST", "/2018-06-01/runtime/init/error", id, sizeof id) == RAPI_INIT_ERROR);
    CHECK(rapi_route("GET", "/2018-06-01/runtime/invocation/xyz/response", id, sizeof id) ==
          RAPI_BAD_METHOD);
    CHECK(rapi_route("POST", "/2018-06-01/runtime/invocation//response", id, sizeof id) ==
          RAPI_NOT_FOUND);
    CHECK(rapi_route("POST", "/2018-06-01/runtime/invocation/a/b/response", id, sizeof id) ==
          RAPI_NOT_FOUND);
    CHECK(rapi_route("GET", "/2020-01-01/extension/event/next", id, sizeof id) == RAPI_NOT_FOUND);
}

static void function_references(void)
{
    char name[FN_NAME_MAX + 1], qual[64];
    CHECK(fn_parse_ref("my-func", name, sizeof name, qual, sizeof qual) == 0);
    CHECK_STR(name, "my-func");
    CHECK_STR(qual, "");
    CHECK(fn_parse_ref("my_func:$LATEST", name, sizeof name, qual, sizeof qual) == 0);
    CHECK_STR(name, "my_func");
    CHECK_STR(qual, "$LATEST");
    CHECK(fn_parse_ref("arn:aws:lambda:us-east-1:000000000000:function:f1", name, sizeof name, qual,
                       sizeof qual) == 0);
    CHECK_STR(name, "f1");
    CHECK(fn_parse_ref("arn:aws:lambda:us-east-1:000000000000:function:f1:prod", name, sizeof name,
                       qual, sizeof qual) == 0);
    CHECK_STR(qual, "prod");
    CHECK(fn_parse_ref("000000000000:function:f2", name, sizeof name, qual, sizeof qual) == 0);
    CHECK_STR(name, "f2");
    CHECK(fn_parse_ref("bad name", name, sizeof name, qual, sizeof qual) == -1);
    CHECK(fn_parse_ref("", name, sizeof name, qual, sizeof qual) == -1);
    CHECK(fn_parse_ref("arn:aws:s3:::bucket", name, sizeof name, qual, sizeof qual) == -1);
    char longname[80];
    memset(longname, 'a', 65);
    longname[65] = '\0';
    CHECK(fn_parse_ref(longname, name, sizeof name, qual, sizeof qual) == -1);
}

static void error_table(void)
{
    CHECK_STR(lambda_error_name(LAMBDA_RESOURCE_NOT_FOUND), "ResourceNotFoundException");
    CHECK(lambda_error_status(LAMBDA_RESOURCE_NOT_FOUND) == 404);
    CHECK(lambda_error_status(LAMBDA_RESOURCE_CONFLICT) == 409);
    CHECK(lambda_error_status(LAMBDA_INVALID_PARAMETER_VALUE) == 400);
    CHECK(lambda_error_status(LAMBDA_REQUEST_TOO_LARGE) == 413);
    CHECK(lambda_error_status(LAMBDA_ENTITY_TOO_LARGE) == 413);
    CHECK(strcmp(lambda_error_name(LAMBDA_ENTITY_TOO_LARGE), "RequestEntityTooLargeException") ==
          0);
    CHECK(lambda_error_status(LAMBDA_TOO_MANY_REQUESTS) == 429);
    CHECK(lambda_error_status(LAMBDA_SERVICE) == 500);
    for (int e = 0; e < LAMBDA_ERROR_COUNT; e++) {
        CHECK(lambda_error_name((lambda_error_t)e) != NULL);
        CHECK(strstr(lambda_error_name((lambda_error_t)e), "Exception") != NULL);
    }
    char *body = lambda_error_body(LAMBDA_TOO_MANY_REQUESTS, "Rate Exceeded.");
    CHECK_STR(body,
              "{\"Reason\":\"ConcurrentInvocationLimitExceeded\",\"Type\":\"User\",\"message\":"
              "\"Rate Exceeded.\"}");
    free(body);
    body = lambda_error_body(LAMBDA_RESOURCE_NOT_FOUND, "say \"hi\"");
    CHECK_STR(body, "{\"Type\":\"User\",\"message\":\"say \\\"hi\\\"\"}");
    free(body);
}

static void exit_wording_as_lambda_says_it(void)
{
    char buf[64];
    sandbox_describe_exit(1 << 8, buf, sizeof buf); /* exited with 1 */
    CHECK_STR(buf, "exit status 1");
    sandbox_describe_exit(SIGKILL, buf, sizeof buf);
    CHECK_STR(buf, "signal: killed");
    sandbox_describe_exit(SIGSEGV, buf, sizeof buf);
    CHECK_STR(buf, "signal: segmentation fault");
    sandbox_describe_exit(SIGABRT, buf, sizeof buf);
    CHECK_STR(buf, "signal: aborted");
}

static void cpu_share_scales_with_memory(void)
{
    CHECK(CGROUP_CPU_PERIOD_US == 20000);
    CHECK(cgroup_cpu_quota_us(1769) == 20000); /* one full vCPU */
    CHECK(cgroup_cpu_quota_us(3538) == 40000); /* two */
    CHECK(cgroup_cpu_quota_us(128) == 1447);   /* 128/1769 of one */
    CHECK(cgroup_cpu_quota_us(1) == 1000);     /* CFS minimum */
    /* init: two vCPUs at least, a larger function's own share above that */
    CHECK(cgroup_init_cpu_quota_us(128) == 40000);
    CHECK(cgroup_init_cpu_quota_us(3008) == 40000);
    CHECK(cgroup_init_cpu_quota_us(10240) == cgroup_cpu_quota_us(10240));
}

int main(int argc, char **argv)
{
    static const test_case_t cases[] = {
        TEST_CASE(billed_rounds_up_to_the_millisecond),
        TEST_CASE(billed_includes_init_for_provided_runtimes),
        TEST_CASE(report_line_warm),
        TEST_CASE(report_line_cold_puts_init_last),
        TEST_CASE(report_line_with_status),
        TEST_CASE(init_report_lines),
        TEST_CASE(start_and_end_lines),
        TEST_CASE(memory_in_mb_rounds_up),
        TEST_CASE(tail_keeps_the_last_4k),
        TEST_CASE(base64_round_trip),
        TEST_CASE(runtime_api_routes),
        TEST_CASE(function_references),
        TEST_CASE(error_table),
        TEST_CASE(exit_wording_as_lambda_says_it),
        TEST_CASE(cpu_share_scales_with_memory),
    };
    return test_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
