/* bench_function: see bench_function.h. */
#include "bench_function.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_event.h"
#include "bench_ops.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Four decimals, like the Python function's round(x, 4). */
static double round4(double x) { return floor(x * 1e4 + 0.5) / 1e4; }

static int fail(lambda_output_t *out, const char *type, const char *message)
{
    snprintf(out->error_type, sizeof out->error_type, "%s", type);
    snprintf(out->error_message, sizeof out->error_message, "%s", message);
    return 1;
}

static int answer(lambda_output_t *out, char *text)
{
    if (!text) return fail(out, "Runtime.OutOfMemory", "out of memory building the response");
    out->body = text;
    out->body_len = strlen(text);
    return 0;
}

int bench_function_handle(void *ctx, const lambda_invocation_t *inv, lambda_output_t *out)
{
    bench_function_t *fn = ctx;
    double start = now_ms();
    bench_op_t op = BENCH_OP_UNKNOWN;
    char asked[64] = "";
    char *text = NULL;
    bench_event_err_t ev = bench_event_op(inv->payload, inv->payload_len, &op, asked, sizeof asked);
    if (ev == BENCH_EVENT_BAD_OP || ev == BENCH_EVENT_NOT_JSON) {
        char msg[160];
        if (ev == BENCH_EVENT_BAD_OP)
            snprintf(msg, sizeof msg,
                     "unknown op \"%s\": use put, get, query, batch_write, delete or update",
                     asked);
        else
            snprintf(msg, sizeof msg, "the event is not a JSON object");
        if (bench_event_bad_request(msg, &text) != BENCH_EVENT_OK) text = NULL;
        return answer(out, text);
    }
    if (ev != BENCH_EVENT_OK) return fail(out, "Runtime.OutOfMemory", bench_event_strerror(ev));

    bench_result_t res = {0};
    ddb_response_t resp = {0};
    ddb_client_set_deadline(fn->client, inv->deadline_ms);
    ddb_err_t err = bench_ops_run(fn->client, fn->table, op, (long long)time(NULL), &res, &resp);
    if (err) {
        /* DynamoDB's own words when it sent some, else the client's. */
        const char *type = resp.error_type[0] ? resp.error_type : "DynamoDB.ClientError";
        const char *msg = resp.error_message[0] ? resp.error_message : ddb_strerror(err);
        int rc = fail(out, type, msg);
        ddb_response_reset(&resp);
        return rc;
    }
    ddb_response_reset(&resp);
    double duration = now_ms() - start;

    cJSON *body = cJSON_CreateObject();
    char *body_text = NULL;
    if (body && cJSON_AddStringToObject(body, "operation", bench_op_name(op)) &&
        cJSON_AddStringToObject(body, "runtime", "c") &&
        cJSON_AddNumberToObject(body, "duration_ms", round4(duration)) &&
        cJSON_AddNumberToObject(body, "sdk_call_ms", round4(res.sdk_call_ms)) &&
        cJSON_AddNumberToObject(body, "items_count", res.items_count) &&
        cJSON_AddNumberToObject(body, "serialize_ms", round4(res.serialize_ms)) &&
        cJSON_AddNumberToObject(body, "http_ms", round4(res.http_ms)) &&
        cJSON_AddNumberToObject(body, "parse_ms", round4(res.parse_ms)) &&
        cJSON_AddNumberToObject(body, "attempts", res.attempts) &&
        cJSON_AddNumberToObject(body, "connect_ms", round4(res.connect_ms)))
        body_text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (body_text && bench_event_proxy_response(200, body_text, &text) != BENCH_EVENT_OK)
        text = NULL;
    cJSON_free(body_text);
    return answer(out, text);
}
