/* report_line: see report_line.h. */
#include "report_line.h"

#include "base64.h"

#include <stdlib.h>
#include <string.h>

const char *rline_strerror(rline_err_t err)
{
    switch (err) {
    case RLINE_OK: return "ok";
    case RLINE_ERR_BASE64: return "the log tail is not base64";
    case RLINE_ERR_NOMEM: return "out of memory";
    case RLINE_ERR_NOREPORT: return "no REPORT line in the log tail";
    case RLINE_ERR_FIELD: return "the REPORT line lacks a required field";
    case RLINE_ERR_TOOBIG: return "the log tail is too large";
    }
    return "unknown error";
}

rline_err_t rline_decode_tail(const char *b64, char **out)
{
    size_t n = strlen(b64), len;
    if (n > RLINE_TAIL_CAP) return RLINE_ERR_TOOBIG;
    char *text = base64_decode(b64, n, &len);
    if (!text) return RLINE_ERR_BASE64; /* (or out of memory: the tail is unusable) */
    *out = text;
    return RLINE_OK;
}

/* The number after "<name>: " within [line, end), in *value; 1 if found. */
static int field(const char *line, const char *end, const char *name, double *value)
{
    size_t nlen = strlen(name);
    for (const char *p = line; p + nlen + 2 <= end; p++) {
        if ((p == line || p[-1] == '\t' || p[-1] == ' ') && memcmp(p, name, nlen) == 0 &&
            p[nlen] == ':' && p[nlen + 1] == ' ') {
            char *stop;
            double v = strtod(p + nlen + 2, &stop);
            if (stop == p + nlen + 2 || stop > end) return 0;
            *value = v;
            return 1;
        }
    }
    return 0;
}

rline_err_t rline_parse(const char *tail, rline_report_t *out)
{
    const char *line = NULL;
    for (const char *p = strstr(tail, "REPORT RequestId: "); p;
         p = strstr(p + 1, "REPORT RequestId: "))
        if (p == tail || p[-1] == '\n') line = p;
    if (!line) return RLINE_ERR_NOREPORT;
    const char *end = strchr(line, '\n');
    if (!end) end = line + strlen(line);

    rline_report_t r;
    memset(&r, 0, sizeof r);
    const char *id = line + strlen("REPORT RequestId: ");
    size_t idlen = strcspn(id, "\t \n");
    if (idlen >= sizeof r.request_id) idlen = sizeof r.request_id - 1;
    memcpy(r.request_id, id, idlen);
    if (!field(line, end, "Duration", &r.duration_ms) ||
        !field(line, end, "Billed Duration", &r.billed_ms) ||
        !field(line, end, "Memory Size", &r.memory_size_mb) ||
        !field(line, end, "Max Memory Used", &r.max_memory_mb))
        return RLINE_ERR_FIELD;
    r.has_init = field(line, end, "Init Duration", &r.init_ms);
    *out = r;
    return RLINE_OK;
}
