/* bench_report: see bench_report.h. */
#include "bench_report.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *report_strerror(report_err_t err)
{
    switch (err) {
    case REPORT_OK: return "ok";
    case REPORT_ERR_NOMEM: return "out of memory";
    case REPORT_ERR_IO: return "the file could not be written";
    }
    return "unknown error";
}

/* Which invocation of a cold start a row reads. */
enum which { FIRST, SECOND };

static int cold_summary(const run_cold_set_t *set, enum which w, run_field_t field,
                        samples_summary_t *out)
{
    samples_t s = {0};
    int ok = 1;
    for (size_t i = 0; i < set->n && ok; i++) {
        double v = run_field_value(w == FIRST ? &set->runs[i].first : &set->runs[i].second, field);
        if (v >= 0) ok = samples_add(&s, v) == SAMPLES_OK;
    }
    ok = ok && samples_summarize(&s, out) == SAMPLES_OK;
    samples_free(&s);
    return ok;
}

static int op_summary(const run_op_t *op, run_field_t field, samples_summary_t *out)
{
    samples_t s = {0};
    int ok = op != NULL;
    for (size_t i = 0; ok && i < op->n; i++) {
        double v = run_field_value(&op->inv[i], field);
        if (v >= 0) ok = samples_add(&s, v) == SAMPLES_OK;
    }
    ok = ok && samples_summarize(&s, out) == SAMPLES_OK;
    samples_free(&s);
    return ok;
}

static void fmt(double v, char *out, size_t n)
{
    if (v < 10)
        snprintf(out, n, "%.3f", v);
    else if (v < 100)
        snprintf(out, n, "%.2f", v);
    else
        snprintf(out, n, "%.1f", v);
}

/* "median (min–max)", or the value alone for one sample; "" for none. */
/* Billed Duration and Max Memory Used are whole numbers in the REPORT line. */
static void fmt_field(run_field_t field, double v, char *out, size_t n)
{
    if (field == RUN_F_BILLED || field == RUN_F_MAX_MEMORY)
        snprintf(out, n, "%.0f", v);
    else
        fmt(v, out, n);
}

static void fmt_spread(run_field_t field, const samples_summary_t *s, int ok, char *out, size_t n)
{
    char a[32], b[32], c[32];
    if (!ok) {
        snprintf(out, n, "%s", "");
        return;
    }
    fmt_field(field, s->p50, a, sizeof a);
    if (s->count == 1) {
        snprintf(out, n, "%s", a);
        return;
    }
    fmt_field(field, s->min, b, sizeof b);
    fmt_field(field, s->max, c, sizeof c);
    snprintf(out, n, "%s (%s–%s)", a, b, c);
}

static void fmt_ratio(double num, double den, char *out, size_t n)
{
    if (den > 0)
        snprintf(out, n, "%.1f×", num / den);
    else
        snprintf(out, n, "%s", "");
}

static const struct cold_row {
    const char *label;
    enum which which;
    run_field_t field;
} cold_rows[] = {
    {"Init Duration (ms)", FIRST, RUN_F_INIT},
    {"1st invoke Duration (ms)", FIRST, RUN_F_DURATION},
    {"1st invoke Billed Duration (ms)", FIRST, RUN_F_BILLED},
    {"1st invoke sdk_call (ms)", FIRST, RUN_F_SDK_CALL},
    {"Max Memory Used (MB)", SECOND, RUN_F_MAX_MEMORY},
    {"2nd invoke Duration (ms)", SECOND, RUN_F_DURATION},
    {"2nd invoke sdk_call (ms)", SECOND, RUN_F_SDK_CALL},
};

static const struct cold_row conn_rows[] = {
    {"Init Duration (ms)", FIRST, RUN_F_INIT},
    {"1st invoke sdk_call (ms)", FIRST, RUN_F_SDK_CALL},
    {"1st invoke connect (ms)", FIRST, RUN_F_CONNECT},
    {"1st invoke Duration (ms)", FIRST, RUN_F_DURATION},
    {"1st invoke Billed Duration (ms)", FIRST, RUN_F_BILLED},
    {"2nd invoke sdk_call (ms)", SECOND, RUN_F_SDK_CALL},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static report_err_t cold_table(const report_input_t *in, table_t **out)
{
    const run_function_t *fs[2] = {in->c, in->python};
    const char *names[2] = {"C", "Python"};
    size_t nf = 0;
    const run_function_t *have[2];
    const char *hnames[2];
    for (int i = 0; i < 2; i++)
        if (fs[i] && fs[i]->cold.n) {
            have[nf] = fs[i];
            hnames[nf++] = names[i];
        }
    int ratio = nf == 2;
    char title[160];
    snprintf(title, sizeof title,
             "Cold starts: %zu forced by UpdateFunctionConfiguration, op %s; median (min–max)",
             in->cold_starts, in->cold_op);
    table_t *t;
    if (table_new(title, 1 + nf + (size_t)ratio, &t) != TABLE_OK) return REPORT_ERR_NOMEM;
    const char *head[4] = {"metric", hnames[0], nf > 1 ? hnames[1] : NULL, "Python / C"};
    if (nf < 2) head[1 + nf] = NULL;
    if (table_add_row(t, head) != TABLE_OK) goto nomem;
    for (size_t r = 0; r < NELEM(cold_rows); r++) {
        char cells[4][160] = {"", "", "", ""};
        samples_summary_t s[2];
        int ok[2] = {0, 0};
        snprintf(cells[0], sizeof cells[0], "%s", cold_rows[r].label);
        for (size_t i = 0; i < nf; i++) {
            ok[i] = cold_summary(&have[i]->cold, cold_rows[r].which, cold_rows[r].field, &s[i]);
            fmt_spread(cold_rows[r].field, &s[i], ok[i], cells[1 + i], sizeof cells[1 + i]);
        }
        if (ratio && ok[0] && ok[1]) fmt_ratio(s[1].p50, s[0].p50, cells[3], sizeof cells[3]);
        const char *row[4] = {cells[0], cells[1], cells[2], cells[3]};
        if (table_add_row(t, row) != TABLE_OK) goto nomem;
    }
    *out = t;
    return REPORT_OK;
nomem:
    table_free(t);
    return REPORT_ERR_NOMEM;
}

static report_err_t conn_table(const report_input_t *in, table_t **out)
{
    const run_function_t *f = in->c;
    char title[200];
    snprintf(title, sizeof title,
             "First call after a cold start, C function: as deployed vs "
             "BENCH_WARM_CONNECTION=1 (%zu cold starts each); median (min–max)",
             f->cold_warm_conn.n);
    table_t *t;
    if (table_new(title, 4, &t) != TABLE_OK) return REPORT_ERR_NOMEM;
    const char *head[4] = {"metric", "as deployed", "BENCH_WARM_CONNECTION=1", "change"};
    if (table_add_row(t, head) != TABLE_OK) goto nomem;
    for (size_t r = 0; r < NELEM(conn_rows); r++) {
        char cells[4][160] = {"", "", "", ""};
        samples_summary_t a, b;
        int oka = cold_summary(&f->cold, conn_rows[r].which, conn_rows[r].field, &a);
        int okb = cold_summary(&f->cold_warm_conn, conn_rows[r].which, conn_rows[r].field, &b);
        snprintf(cells[0], sizeof cells[0], "%s", conn_rows[r].label);
        fmt_spread(conn_rows[r].field, &a, oka, cells[1], sizeof cells[1]);
        fmt_spread(conn_rows[r].field, &b, okb, cells[2], sizeof cells[2]);
        if (oka && okb) {
            char d[32];
            fmt_field(conn_rows[r].field, b.p50 > a.p50 ? b.p50 - a.p50 : a.p50 - b.p50, d,
                      sizeof d);
            snprintf(cells[3], sizeof cells[3], "%s%s", b.p50 >= a.p50 ? "+" : "-", d);
        }
        const char *row[4] = {cells[0], cells[1], cells[2], cells[3]};
        if (table_add_row(t, row) != TABLE_OK) goto nomem;
    }
    *out = t;
    return REPORT_OK;
nomem:
    table_free(t);
    return REPORT_ERR_NOMEM;
}

static void fmt_p(const samples_summary_t *s, int ok, char *out, size_t n)
{
    char a[32], b[32], c[32];
    if (!ok) {
        snprintf(out, n, "%s", "");
        return;
    }
    fmt(s->p50, a, sizeof a);
    fmt(s->p90, b, sizeof b);
    fmt(s->p99, c, sizeof c);
    snprintf(out, n, "%s / %s / %s", a, b, c);
}

static report_err_t warm_table(const report_input_t *in, table_t **out)
{
    int have_c = in->c != NULL, have_py = in->python != NULL;
    int ratio = have_c && have_py;
    /* op | C sdk | Py sdk | ratio | C Dur | Py Dur | C ser | Py ser */
    int col_on[8] = {1, have_c, have_py, ratio, have_c, have_py, have_c, have_py};
    size_t nc = 0;
    for (int i = 0; i < 8; i++) nc += (size_t)col_on[i];
    char title[200];
    snprintf(title, sizeof title,
             "Warm invocations: %zu per op, %ld ms apart; sdk_call p50 / p90 / p99 (ms), REPORT "
             "Duration p50 (ms), SDK serialization p50 (ms)",
             in->warm_invokes, in->pause_ms);
    table_t *t;
    if (table_new(title, nc, &t) != TABLE_OK) return REPORT_ERR_NOMEM;
    const char *heads[8] = {"op",         "C sdk_call",      "Python sdk_call", "Python / C",
                            "C Duration", "Python Duration", "C serialize",     "Python serialize"};
    const char *row[8];
    size_t k = 0;
    for (int i = 0; i < 8; i++)
        if (col_on[i]) row[k++] = heads[i];
    if (table_add_row(t, row) != TABLE_OK) goto nomem;
    for (size_t o = 0; o < in->n_ops; o++) {
        char cells[8][160];
        memset(cells, 0, sizeof cells);
        const run_op_t *oc = have_c ? run_find_op(in->c, in->ops[o]) : NULL;
        const run_op_t *op = have_py ? run_find_op(in->python, in->ops[o]) : NULL;
        samples_summary_t sc, sp, dc, dp, zc, zp;
        int okc = oc && op_summary(oc, RUN_F_SDK_CALL, &sc);
        int okp = op && op_summary(op, RUN_F_SDK_CALL, &sp);
        int okdc = oc && op_summary(oc, RUN_F_DURATION, &dc);
        int okdp = op && op_summary(op, RUN_F_DURATION, &dp);
        int okzc = oc && op_summary(oc, RUN_F_SERIALIZE, &zc);
        int okzp = op && op_summary(op, RUN_F_SERIALIZE, &zp);
        snprintf(cells[0], sizeof cells[0], "%s", in->ops[o]);
        fmt_p(&sc, okc, cells[1], sizeof cells[1]);
        fmt_p(&sp, okp, cells[2], sizeof cells[2]);
        if (okc && okp) fmt_ratio(sp.p50, sc.p50, cells[3], sizeof cells[3]);
        if (okdc) fmt(dc.p50, cells[4], sizeof cells[4]);
        if (okdp) fmt(dp.p50, cells[5], sizeof cells[5]);
        if (okzc) fmt(zc.p50, cells[6], sizeof cells[6]);
        if (okzp) fmt(zp.p50, cells[7], sizeof cells[7]);
        k = 0;
        for (int i = 0; i < 8; i++)
            if (col_on[i]) row[k++] = cells[i];
        if (table_add_row(t, row) != TABLE_OK) goto nomem;
    }
    *out = t;
    return REPORT_OK;
nomem:
    table_free(t);
    return REPORT_ERR_NOMEM;
}

report_err_t report_tables(const report_input_t *in, table_t *out[REPORT_MAX_TABLES], size_t *n)
{
    size_t k = 0;
    report_err_t err = REPORT_OK;
    if ((in->c && in->c->cold.n) || (in->python && in->python->cold.n)) {
        if ((err = cold_table(in, &out[k])) != REPORT_OK) goto fail;
        k++;
    }
    if (in->c && in->c->cold_warm_conn.n && in->c->cold.n) {
        if ((err = conn_table(in, &out[k])) != REPORT_OK) goto fail;
        k++;
    }
    if (in->n_ops) {
        if ((err = warm_table(in, &out[k])) != REPORT_OK) goto fail;
        k++;
    }
    *n = k;
    return REPORT_OK;
fail:
    report_tables_free(out, k);
    return err;
}

void report_tables_free(table_t *t[REPORT_MAX_TABLES], size_t n)
{
    for (size_t i = 0; i < n; i++) table_free(t[i]);
}

void report_setup_line(const report_input_t *in, char *out, size_t n)
{
    const machine_t *m = &in->machine;
    snprintf(out, n,
             "Machine: %s (%s, %d CPUs, %ld MB, %s, %s). Endpoint %s (%s, %s). "
             "MemorySize: C %.0f MB, Python %.0f MB.",
             m->hostname, m->cpu_model, m->cpus, m->memory_mb, m->os, m->kernel, in->endpoint,
             in->region, in->signed_requests ? "SigV4-signed" : "unsigned",
             in->c ? in->c->memory_size_mb : 0.0, in->python ? in->python->memory_size_mb : 0.0);
}

/* ---- JSON ---- */

static cJSON *summary_json(const samples_summary_t *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "count", (double)s->count);
    cJSON_AddNumberToObject(o, "min", s->min);
    cJSON_AddNumberToObject(o, "p50", s->p50);
    cJSON_AddNumberToObject(o, "p90", s->p90);
    cJSON_AddNumberToObject(o, "p99", s->p99);
    cJSON_AddNumberToObject(o, "max", s->max);
    cJSON_AddNumberToObject(o, "mean", s->mean);
    return o;
}

static void add_num_or_null(cJSON *o, const char *name, double v)
{
    if (v >= 0)
        cJSON_AddNumberToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

static cJSON *invocation_json(const run_invocation_t *inv)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "request_id", inv->request_id);
    cJSON_AddNumberToObject(o, "duration_ms", inv->duration_ms);
    cJSON_AddNumberToObject(o, "billed_ms", inv->billed_ms);
    cJSON_AddNumberToObject(o, "max_memory_mb", inv->max_memory_mb);
    add_num_or_null(o, "init_ms", inv->init_ms);
    cJSON_AddNumberToObject(o, "sdk_call_ms", inv->sdk_call_ms);
    add_num_or_null(o, "serialize_ms", inv->serialize_ms);
    add_num_or_null(o, "connect_ms", inv->connect_ms);
    cJSON_AddNumberToObject(o, "client_ms", inv->client_ms);
    cJSON_AddNumberToObject(o, "items_count", (double)inv->items_count);
    return o;
}

static const struct {
    const char *name;
    run_field_t field;
} json_fields[] = {
    {"duration_ms", RUN_F_DURATION},     {"billed_ms", RUN_F_BILLED},
    {"max_memory_mb", RUN_F_MAX_MEMORY}, {"init_ms", RUN_F_INIT},
    {"sdk_call_ms", RUN_F_SDK_CALL},     {"serialize_ms", RUN_F_SERIALIZE},
    {"connect_ms", RUN_F_CONNECT},       {"client_ms", RUN_F_CLIENT},
};

static cJSON *cold_set_json(const run_cold_set_t *set)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *runs = cJSON_AddArrayToObject(o, "runs");
    cJSON *first = cJSON_AddObjectToObject(o, "first");
    cJSON *second = cJSON_AddObjectToObject(o, "second");
    if (!o || !runs || !first || !second) {
        cJSON_Delete(o);
        return NULL;
    }
    for (size_t i = 0; i < set->n; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddItemToArray(runs, r);
        cJSON_AddItemToObject(r, "first", invocation_json(&set->runs[i].first));
        cJSON_AddItemToObject(r, "second", invocation_json(&set->runs[i].second));
    }
    for (size_t k = 0; k < NELEM(json_fields); k++) {
        samples_summary_t s;
        if (cold_summary(set, FIRST, json_fields[k].field, &s))
            cJSON_AddItemToObject(first, json_fields[k].name, summary_json(&s));
        if (cold_summary(set, SECOND, json_fields[k].field, &s))
            cJSON_AddItemToObject(second, json_fields[k].name, summary_json(&s));
    }
    return o;
}

static cJSON *function_json(const report_input_t *in, const run_function_t *f)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "name", f->name);
    cJSON_AddNumberToObject(o, "memory_size_mb", f->memory_size_mb);
    cJSON *cold = cJSON_AddObjectToObject(o, "cold_starts");
    cJSON_AddItemToObject(cold, "as_deployed", cold_set_json(&f->cold));
    if (f->cold_warm_conn.n)
        cJSON_AddItemToObject(cold, "warm_connection", cold_set_json(&f->cold_warm_conn));
    cJSON *warm = cJSON_AddObjectToObject(o, "warm");
    for (size_t i = 0; i < in->n_ops; i++) {
        const run_op_t *op = run_find_op(f, in->ops[i]);
        if (!op) continue;
        cJSON *w = cJSON_AddObjectToObject(warm, op->name);
        for (size_t k = 0; k < NELEM(json_fields); k++) {
            samples_summary_t s;
            if (json_fields[k].field != RUN_F_INIT && op_summary(op, json_fields[k].field, &s))
                cJSON_AddItemToObject(w, json_fields[k].name, summary_json(&s));
        }
        cJSON *invs = cJSON_AddArrayToObject(w, "invocations");
        for (size_t k = 0; k < op->n; k++) cJSON_AddItemToArray(invs, invocation_json(&op->inv[k]));
    }
    return o;
}

static report_err_t write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return REPORT_ERR_IO;
    int ok = fputs(text, f) >= 0;
    ok = (fclose(f) == 0) && ok;
    return ok ? REPORT_OK : REPORT_ERR_IO;
}

report_err_t report_write_json(const report_input_t *in, const char *path)
{
    report_err_t err = REPORT_ERR_NOMEM;
    char *text = NULL;
    cJSON *doc = cJSON_CreateObject();
    if (!doc) goto out;
    cJSON_AddStringToObject(doc, "schema", "lambda-bench/1");
    cJSON_AddStringToObject(doc, "started_at", in->started_at);
    cJSON_AddNumberToObject(doc, "elapsed_s", in->elapsed_s);
    cJSON *m = cJSON_AddObjectToObject(doc, "machine");
    cJSON_AddStringToObject(m, "hostname", in->machine.hostname);
    cJSON_AddStringToObject(m, "os", in->machine.os);
    cJSON_AddStringToObject(m, "kernel", in->machine.kernel);
    cJSON_AddStringToObject(m, "arch", in->machine.arch);
    cJSON_AddStringToObject(m, "cpu_model", in->machine.cpu_model);
    cJSON_AddNumberToObject(m, "cpus", in->machine.cpus);
    cJSON_AddNumberToObject(m, "memory_mb", (double)in->machine.memory_mb);
    cJSON *t = cJSON_AddObjectToObject(doc, "target");
    cJSON_AddStringToObject(t, "endpoint", in->endpoint);
    cJSON_AddStringToObject(t, "region", in->region);
    cJSON_AddBoolToObject(t, "signed", in->signed_requests);
    cJSON *s = cJSON_AddObjectToObject(doc, "settings");
    cJSON_AddNumberToObject(s, "cold_starts", (double)in->cold_starts);
    cJSON_AddNumberToObject(s, "warm_invokes", (double)in->warm_invokes);
    cJSON_AddNumberToObject(s, "pause_ms", (double)in->pause_ms);
    cJSON_AddStringToObject(s, "cold_op", in->cold_op);
    cJSON *ops = cJSON_AddArrayToObject(s, "ops");
    for (size_t i = 0; i < in->n_ops; i++)
        cJSON_AddItemToArray(ops, cJSON_CreateString(in->ops[i]));
    cJSON *labels = cJSON_AddObjectToObject(doc, "labels");
    for (size_t i = 0; i < in->n_labels; i++) {
        const char *eq = strchr(in->labels[i], '=');
        if (!eq) continue;
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(eq - in->labels[i]), in->labels[i]);
        cJSON_AddStringToObject(labels, key, eq + 1);
    }
    cJSON *fns = cJSON_AddObjectToObject(doc, "functions");
    if (in->c) cJSON_AddItemToObject(fns, "c", function_json(in, in->c));
    if (in->python) cJSON_AddItemToObject(fns, "python", function_json(in, in->python));
    /* Python / C of the medians: the ratio column of the tables. */
    cJSON *ratios = cJSON_AddObjectToObject(doc, "ratios");
    if (in->c && in->python) {
        cJSON *rc = cJSON_AddObjectToObject(ratios, "cold");
        for (size_t k = 0; k < NELEM(json_fields); k++) {
            samples_summary_t a, b;
            if (cold_summary(&in->c->cold, FIRST, json_fields[k].field, &a) &&
                cold_summary(&in->python->cold, FIRST, json_fields[k].field, &b) && a.p50 > 0)
                cJSON_AddNumberToObject(rc, json_fields[k].name, b.p50 / a.p50);
        }
        cJSON *rw = cJSON_AddObjectToObject(ratios, "warm_sdk_call_p50");
        for (size_t i = 0; i < in->n_ops; i++) {
            samples_summary_t a, b;
            if (op_summary(run_find_op(in->c, in->ops[i]), RUN_F_SDK_CALL, &a) &&
                op_summary(run_find_op(in->python, in->ops[i]), RUN_F_SDK_CALL, &b) && a.p50 > 0)
                cJSON_AddNumberToObject(rw, in->ops[i], b.p50 / a.p50);
        }
    }
    if (!(text = cJSON_Print(doc))) goto out;
    err = write_text(path, text);
out:
    free(text);
    cJSON_Delete(doc);
    return err;
}

report_err_t report_write_markdown(const report_input_t *in, table_t *const *tables, size_t n,
                                   const char *svg_name, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return REPORT_ERR_IO;
    char setup[1024];
    report_setup_line(in, setup, sizeof setup);
    fprintf(f, "# lambda-bench report\n\nStarted %s, %.1f s. %s\n\n", in->started_at, in->elapsed_s,
            setup);
    for (size_t i = 0; i < in->n_labels; i++) fprintf(f, "- %s\n", in->labels[i]);
    if (in->n_labels) fputc('\n', f);
    for (size_t i = 0; i < n; i++) table_print_markdown(tables[i], f);
    if (svg_name) fprintf(f, "![warm sdk_call per op](%s)\n", svg_name);
    return fclose(f) == 0 ? REPORT_OK : REPORT_ERR_IO;
}
