/* lambda-echo: the smallest function built on lambda_runtime, used by the
 * runtime's tests and as the README's example. It answers with what it was
 * given ({"request_id", "function_arn", "trace_id", "client_context",
 * "remaining_ms", "event"}), fails with type "EchoError" when the event has a
 * "fail" message, and reports an init error when ECHO_INIT_FAIL is set. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lambda_runtime.h"

static int echo(void *ctx, const lambda_invocation_t *inv, lambda_output_t *out)
{
    (void)ctx;
    cJSON *event = cJSON_ParseWithLength(inv->payload, inv->payload_len);
    const char *fail = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(event, "fail"));
    if (fail) {
        snprintf(out->error_type, sizeof out->error_type, "EchoError");
        snprintf(out->error_message, sizeof out->error_message, "%s", fail);
        cJSON_Delete(event);
        return 1;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "request_id", inv->request_id);
    cJSON_AddStringToObject(r, "function_arn", inv->function_arn);
    if (inv->trace_id) cJSON_AddStringToObject(r, "trace_id", inv->trace_id);
    if (inv->client_context) cJSON_AddStringToObject(r, "client_context", inv->client_context);
    const char *env_trace = getenv("_X_AMZN_TRACE_ID");
    if (env_trace) cJSON_AddStringToObject(r, "env_trace_id", env_trace);
    cJSON_AddNumberToObject(r, "remaining_ms", (double)lambda_remaining_ms(inv));
    cJSON_AddNumberToObject(r, "event_bytes", (double)inv->payload_len);
    if (event) cJSON_AddItemToObject(r, "event", event);
    out->body = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    if (!out->body) {
        snprintf(out->error_type, sizeof out->error_type, "Runtime.OutOfMemory");
        return 1;
    }
    out->body_len = strlen(out->body);
    return 0;
}

int main(void)
{
    lambda_runtime_t *rt = NULL;
    lambda_err_t err = lambda_runtime_new(NULL, &rt);
    if (err) {
        fprintf(stderr, "lambda-echo: %s\n", lambda_strerror(err));
        return 1;
    }
    if (getenv("ECHO_INIT_FAIL")) {
        lambda_runtime_init_error(rt, "Runtime.EchoInitFailed", getenv("ECHO_INIT_FAIL"));
        lambda_runtime_free(rt);
        return 1;
    }
    err = lambda_runtime_run(rt, echo, NULL);
    fprintf(stderr, "lambda-echo: %s\n", lambda_strerror(err));
    lambda_runtime_free(rt);
    return 1;
}
