/* result: a run's figures as "key value" lines. */
#include "result.h"

#include <stdlib.h>
#include <string.h>

static const char *const op_names[RESULT_NOPS] = {"Health",      "PutItem",           "GetItem",
                                                  "Query",       "BatchWriteItem",    "UpdateItem",
                                                  "QueryFilter", "TransactWriteItems"};

const char *result_strerror(result_err_t err)
{
    switch (err) {
    case RESULT_OK: return "ok";
    case RESULT_EIO: return "I/O error on the result file";
    case RESULT_EFORMAT: return "malformed result file";
    }
    return "unknown result error";
}

const char *result_op_name(result_op_t op) { return op < RESULT_NOPS ? op_names[op] : "?"; }

void result_init(result_t *r, const char *server)
{
    memset(r, 0, sizeof *r);
    snprintf(r->server, sizeof r->server, "%s", server);
    r->startup_ms = -1;
    r->rss_kb = r->hwm_kb = r->idle_rss_kb = -1;
}

/* The server and process names are single words; the note takes the rest of
 * its line, so line breaks in it are written as spaces. */
result_err_t result_write(FILE *f, const result_t *r)
{
    char note[sizeof r->note];
    snprintf(note, sizeof note, "%s", r->note);
    for (char *p = note; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    fprintf(f, "server %s\n", r->server);
    fprintf(f, "state %s\n", r->skipped ? "skipped" : r->failed ? "failed" : "ok");
    fprintf(f, "startup_ms %.3f\n", r->startup_ms);
    fprintf(f, "connections %ld\n", r->connections);
    fprintf(f, "memory %lu %ld %ld %ld %s\n", r->items, r->rss_kb, r->hwm_kb, r->idle_rss_kb,
            r->process[0] ? r->process : "-");
    for (int i = 0; i < RESULT_NOPS; i++) {
        const result_op_figures_t *o = &r->ops[i];
        if (!o->measured) continue;
        fprintf(f, "op %s %s %lu %.3f %.3f %.3f\n", op_names[i],
                o->unsupported ? "unsupported"
                : o->failed    ? "failed"
                               : "ok",
                o->count, o->p50_us, o->p99_us, o->ops_per_s);
    }
    fprintf(f, "note %s\n", note);
    fprintf(f, "end\n");
    return ferror(f) ? RESULT_EIO : RESULT_OK;
}

static int op_index(const char *name)
{
    for (int i = 0; i < RESULT_NOPS; i++)
        if (strcmp(name, op_names[i]) == 0) return i;
    return -1;
}

result_err_t result_read(FILE *f, result_t *out)
{
    result_t r;
    result_init(&r, "");
    char line[512];
    int have_server = 0, ended = 0;
    while (!ended && fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\n");
        if (line[n] != '\n' && !feof(f)) return RESULT_EFORMAT; /* over-long line */
        line[n] = '\0';
        char word[48], state[16], proc[32];
        if (sscanf(line, "server %47s", word) == 1) {
            snprintf(r.server, sizeof r.server, "%s", word);
            have_server = 1;
        } else if (sscanf(line, "state %15s", state) == 1) {
            r.skipped = strcmp(state, "skipped") == 0;
            r.failed = strcmp(state, "failed") == 0;
            if (!r.skipped && !r.failed && strcmp(state, "ok") != 0) return RESULT_EFORMAT;
        } else if (sscanf(line, "startup_ms %lf", &r.startup_ms) == 1) {
        } else if (sscanf(line, "connections %ld", &r.connections) == 1) {
        } else if (sscanf(line, "memory %lu %ld %ld %ld %31s", &r.items, &r.rss_kb, &r.hwm_kb,
                          &r.idle_rss_kb, proc) == 5) {
            snprintf(r.process, sizeof r.process, "%s", strcmp(proc, "-") == 0 ? "" : proc);
        } else if (strncmp(line, "op ", 3) == 0) {
            result_op_figures_t o = {0};
            char name[32];
            if (sscanf(line, "op %31s %15s %lu %lf %lf %lf", name, state, &o.count, &o.p50_us,
                       &o.p99_us, &o.ops_per_s) != 6)
                return RESULT_EFORMAT;
            int i = op_index(name);
            if (i < 0) return RESULT_EFORMAT;
            o.measured = 1;
            o.unsupported = strcmp(state, "unsupported") == 0;
            o.failed = !o.unsupported && strcmp(state, "ok") != 0;
            r.ops[i] = o;
        } else if (strncmp(line, "note", 4) == 0 && (line[4] == ' ' || line[4] == '\0')) {
            const char *note = line[4] ? line + 5 : "";
            size_t len = strlen(note);
            if (len >= sizeof r.note) len = sizeof r.note - 1; /* truncated, as written */
            memcpy(r.note, note, len);
            r.note[len] = '\0';
        } else if (strcmp(line, "end") == 0) {
            ended = 1;
        } else {
            return RESULT_EFORMAT;
        }
    }
    if (ferror(f)) return RESULT_EIO;
    if (!have_server || !ended) return RESULT_EFORMAT;
    *out = r;
    return RESULT_OK;
}
