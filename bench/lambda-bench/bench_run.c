/* bench_run: see bench_run.h. */
#include "bench_run.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report_line.h"

const char *run_strerror(run_err_t err)
{
    switch (err) {
    case RUN_OK: return "ok";
    case RUN_ERR_NOMEM: return "out of memory";
    case RUN_ERR_API: return "the Lambda API call failed";
    case RUN_ERR_FUNCTION: return "the function failed";
    case RUN_ERR_REPORT: return "no usable REPORT line";
    case RUN_ERR_UPDATE: return "the configuration update did not succeed";
    case RUN_ERR_STOPPED: return "interrupted";
    }
    return "unknown error";
}

static run_err_t api_failed(run_ctx_t *ctx, const char *what, lapi_err_t e, const lapi_answer_t *a)
{
    if (e == LAPI_ERR_STATUS)
        snprintf(ctx->why, sizeof ctx->why, "%s: HTTP %ld %s %.300s", what, a->status,
                 a->error_type, a->body ? a->body : "");
    else
        snprintf(ctx->why, sizeof ctx->why, "%s: %s %s", what, lapi_strerror(e),
                 lapi_detail(ctx->api));
    return RUN_ERR_API;
}

static double num_or(const cJSON *o, const char *name, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

run_err_t run_prepare(run_ctx_t *ctx, run_function_t *f)
{
    lapi_answer_t a = {0};
    cJSON *doc = NULL;
    run_err_t err;
    lapi_err_t e = lapi_get_configuration(ctx->api, f->name, &a);
    if (e != LAPI_OK) {
        err = api_failed(ctx, "GetFunctionConfiguration", e, &a);
        goto out;
    }
    err = RUN_ERR_API;
    if (!(doc = cJSON_Parse(a.body))) {
        snprintf(ctx->why, sizeof ctx->why, "GetFunctionConfiguration: not JSON");
        goto out;
    }
    f->memory_size_mb = num_or(doc, "MemorySize", -1);
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(doc, "Environment");
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(env, "Variables");
    err = RUN_ERR_NOMEM;
    free(f->env_json);
    f->env_json = vars ? cJSON_PrintUnformatted(vars) : strdup("{}");
    if (!f->env_json) goto out;
    err = RUN_OK;
out:
    cJSON_Delete(doc);
    lapi_answer_reset(&a);
    return err;
}

/* Reads the answer of an invoke into inv; the REPORT line is required. */
static run_err_t read_invocation(run_ctx_t *ctx, const char *fn, const char *op,
                                 const lapi_answer_t *a, run_invocation_t *inv)
{
    run_err_t err = RUN_ERR_FUNCTION;
    char *tail = NULL;
    cJSON *outer = NULL, *body = NULL;
    run_invocation_t r;
    memset(&r, 0, sizeof r);
    r.client_ms = a->elapsed_ms;
    r.init_ms = r.connect_ms = r.serialize_ms = -1;

    if (a->function_error[0]) {
        snprintf(ctx->why, sizeof ctx->why, "%s %s: function error %s: %.300s", fn, op,
                 a->function_error, a->body);
        goto out;
    }
    outer = cJSON_Parse(a->body);
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(outer, "statusCode");
    const cJSON *btext = cJSON_GetObjectItemCaseSensitive(outer, "body");
    if (!cJSON_IsNumber(status) || status->valueint != 200 || !cJSON_IsString(btext) ||
        !(body = cJSON_Parse(btext->valuestring))) {
        snprintf(ctx->why, sizeof ctx->why, "%s %s: unexpected answer %.300s", fn, op, a->body);
        goto out;
    }
    r.sdk_call_ms = num_or(body, "sdk_call_ms", -1);
    r.serialize_ms = num_or(body, "serialize_ms", -1);
    r.connect_ms = num_or(body, "connect_ms", -1);
    r.items_count = (long)num_or(body, "items_count", -1);
    if (r.sdk_call_ms < 0) {
        snprintf(ctx->why, sizeof ctx->why, "%s %s: no sdk_call_ms in %.300s", fn, op,
                 btext->valuestring);
        goto out;
    }

    err = RUN_ERR_REPORT;
    rline_report_t rep;
    rline_err_t re;
    if (!a->log_result) {
        snprintf(ctx->why, sizeof ctx->why, "%s %s: no X-Amz-Log-Result header", fn, op);
        goto out;
    }
    if ((re = rline_decode_tail(a->log_result, &tail)) != RLINE_OK ||
        (re = rline_parse(tail, &rep)) != RLINE_OK) {
        snprintf(ctx->why, sizeof ctx->why, "%s %s: %s", fn, op, rline_strerror(re));
        goto out;
    }
    snprintf(r.request_id, sizeof r.request_id, "%s", rep.request_id);
    r.duration_ms = rep.duration_ms;
    r.billed_ms = rep.billed_ms;
    r.max_memory_mb = rep.max_memory_mb;
    r.init_ms = rep.has_init ? rep.init_ms : -1;
    *inv = r;
    err = RUN_OK;
out:
    free(tail);
    cJSON_Delete(body);
    cJSON_Delete(outer);
    return err;
}

static run_err_t invoke(run_ctx_t *ctx, run_function_t *f, const char *op, run_invocation_t *out)
{
    char payload[128];
    snprintf(payload, sizeof payload, "{\"queryStringParameters\":{\"op\":\"%s\"}}", op);
    lapi_answer_t a = {0};
    run_err_t err;
    lapi_err_t e = lapi_invoke(ctx->api, f->name, payload, &a);
    if (e != LAPI_OK)
        err = api_failed(ctx, "Invoke", e, &a);
    else
        err = read_invocation(ctx, f->name, op, &a, out);
    lapi_answer_reset(&a);
    return err;
}

run_err_t run_invoke_once(run_ctx_t *ctx, run_function_t *f, const char *op, run_invocation_t *out)
{
    return invoke(ctx, f, op, out);
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Polls GetFunctionConfiguration until LastUpdateStatus is Successful, as
 * `aws lambda wait function-updated` does. */
static run_err_t wait_updated(run_ctx_t *ctx, run_function_t *f)
{
    double waited = 0, step = 0.05;
    for (;;) {
        lapi_answer_t a = {0};
        lapi_err_t e = lapi_get_configuration(ctx->api, f->name, &a);
        if (e != LAPI_OK) {
            run_err_t err = api_failed(ctx, "GetFunctionConfiguration", e, &a);
            lapi_answer_reset(&a);
            return err;
        }
        cJSON *doc = cJSON_Parse(a.body);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "LastUpdateStatus");
        char status[32] = "";
        if (cJSON_IsString(st)) snprintf(status, sizeof status, "%s", st->valuestring);
        cJSON_Delete(doc);
        lapi_answer_reset(&a);
        /* Functions created before LastUpdateStatus existed have none. */
        if (strcmp(status, "Successful") == 0 || status[0] == '\0') return RUN_OK;
        if (strcmp(status, "Failed") == 0) {
            snprintf(ctx->why, sizeof ctx->why, "%s: LastUpdateStatus Failed", f->name);
            return RUN_ERR_UPDATE;
        }
        if (*ctx->stop) return RUN_ERR_STOPPED;
        if (waited > ctx->update_wait_s) {
            snprintf(ctx->why, sizeof ctx->why, "%s: LastUpdateStatus %s after %.0f s", f->name,
                     status, waited);
            return RUN_ERR_UPDATE;
        }
        sleep_s(step);
        waited += step;
        if (step < 1) step *= 2;
    }
}

/* UpdateFunctionConfiguration with the original variables plus extra
 * (a cJSON object of strings, may be NULL). */
static run_err_t update_env(run_ctx_t *ctx, run_function_t *f, const cJSON *extra)
{
    run_err_t err = RUN_ERR_NOMEM;
    cJSON *req = cJSON_CreateObject();
    cJSON *env = cJSON_AddObjectToObject(req, "Environment");
    cJSON *vars = f->env_json ? cJSON_Parse(f->env_json) : cJSON_CreateObject();
    char *text = NULL;
    lapi_answer_t a = {0};
    if (!req || !env || !vars) goto out;
    const cJSON *kv;
    cJSON_ArrayForEach(kv, extra)
    {
        cJSON_DeleteItemFromObjectCaseSensitive(vars, kv->string);
        if (!cJSON_AddStringToObject(vars, kv->string, kv->valuestring)) goto out;
    }
    cJSON_AddItemToObject(env, "Variables", vars);
    vars = NULL;
    if (!(text = cJSON_PrintUnformatted(req))) goto out;
    lapi_err_t e = lapi_update_configuration(ctx->api, f->name, text, &a);
    if (e != LAPI_OK) {
        err = api_failed(ctx, "UpdateFunctionConfiguration", e, &a);
        goto out;
    }
    err = wait_updated(ctx, f);
out:
    lapi_answer_reset(&a);
    free(text);
    cJSON_Delete(vars);
    cJSON_Delete(req);
    return err;
}

run_err_t run_cold_starts(run_ctx_t *ctx, run_function_t *f, const char *op, size_t n,
                          int warm_connection)
{
    run_cold_set_t *set = warm_connection ? &f->cold_warm_conn : &f->cold;
    run_cold_t *grown = realloc(set->runs, (set->n + n) * sizeof *grown);
    if (!grown && n) return RUN_ERR_NOMEM;
    set->runs = grown;
    static unsigned serial;
    for (size_t i = 0; i < n; i++) {
        if (*ctx->stop) return RUN_ERR_STOPPED;
        if (ctx->progress)
            ctx->progress(ctx->progress_ctx, warm_connection ? "cold+warm-conn" : "cold", i, n);
        char value[64];
        snprintf(value, sizeof value, "%ld-%d-%u", (long)time(NULL), (int)getpid(), ++serial);
        cJSON *extra = cJSON_CreateObject();
        if (!extra || !cJSON_AddStringToObject(extra, "BENCH_COLD_START", value) ||
            (warm_connection && !cJSON_AddStringToObject(extra, "BENCH_WARM_CONNECTION", "1"))) {
            cJSON_Delete(extra);
            return RUN_ERR_NOMEM;
        }
        run_err_t err = update_env(ctx, f, extra);
        cJSON_Delete(extra);
        if (err != RUN_OK) return err;
        run_cold_t c;
        if ((err = invoke(ctx, f, op, &c.first)) != RUN_OK) return err;
        if (c.first.init_ms < 0) {
            snprintf(ctx->why, sizeof ctx->why,
                     "%s: no Init Duration in the REPORT line after a forced cold start "
                     "(request %s)",
                     f->name, c.first.request_id);
            return RUN_ERR_REPORT;
        }
        if ((err = invoke(ctx, f, op, &c.second)) != RUN_OK) return err;
        set->runs[set->n++] = c;
    }
    return RUN_OK;
}

static run_op_t *op_record(run_function_t *f, const char *name)
{
    for (size_t i = 0; i < f->n_ops; i++)
        if (strcmp(f->ops[i].name, name) == 0) return &f->ops[i];
    if (f->n_ops == RUN_MAX_OPS) return NULL;
    run_op_t *o = &f->ops[f->n_ops++];
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", name);
    return o;
}

const run_op_t *run_find_op(const run_function_t *f, const char *name)
{
    for (size_t i = 0; i < f->n_ops; i++)
        if (strcmp(f->ops[i].name, name) == 0) return &f->ops[i];
    return NULL;
}

run_err_t run_warm(run_ctx_t *ctx, run_function_t *f, const char *op, size_t m)
{
    run_op_t *o = op_record(f, op);
    if (!o) return RUN_ERR_NOMEM;
    run_invocation_t *grown = realloc(o->inv, (o->n + m) * sizeof *grown);
    if (!grown && m) return RUN_ERR_NOMEM;
    o->inv = grown;
    for (size_t i = 0; i < m; i++) {
        if (*ctx->stop) return RUN_ERR_STOPPED;
        if (ctx->progress) ctx->progress(ctx->progress_ctx, op, i, m);
        if (ctx->pause_s > 0) sleep_s(ctx->pause_s);
        run_err_t err = invoke(ctx, f, op, &o->inv[o->n]);
        if (err != RUN_OK) return err;
        o->n++;
    }
    return RUN_OK;
}

run_err_t run_restore(run_ctx_t *ctx, run_function_t *f)
{
    return f->env_json ? update_env(ctx, f, NULL) : RUN_OK;
}

void run_function_free(run_function_t *f)
{
    if (!f) return;
    free(f->env_json);
    free(f->cold.runs);
    free(f->cold_warm_conn.runs);
    for (size_t i = 0; i < f->n_ops; i++) free(f->ops[i].inv);
    memset(f, 0, sizeof *f);
}

double run_field_value(const run_invocation_t *inv, run_field_t field)
{
    switch (field) {
    case RUN_F_DURATION: return inv->duration_ms;
    case RUN_F_BILLED: return inv->billed_ms;
    case RUN_F_MAX_MEMORY: return inv->max_memory_mb;
    case RUN_F_INIT: return inv->init_ms;
    case RUN_F_SDK_CALL: return inv->sdk_call_ms;
    case RUN_F_SERIALIZE: return inv->serialize_ms;
    case RUN_F_CONNECT: return inv->connect_ms;
    case RUN_F_CLIENT: return inv->client_ms;
    }
    return -1;
}
