/* Fuzz target for the emulator's parsers of network input: Runtime API
 * routes, FunctionName references, base64 (client context, ZipFile, log
 * tail) and the log tail ring. Built as a libFuzzer binary with -DFUZZ=ON
 * (clang); otherwise replay_corpus.c runs the committed corpus through the
 * same entry point as a test. The first input byte picks the parser. */
#include "base64.h"
#include "functions.h"
#include "report.h"
#include "runtime_api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char *s = malloc(size);
    if (!s) return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0'; /* NUL-terminated, as httpd hands paths over */
    switch (data[0] % 4) {
    case 0: {
        char id[RAPI_ID_MAX];
        rapi_route("POST", s, id, sizeof id);
        rapi_route("GET", s, id, sizeof id);
        break;
    }
    case 1: {
        char name[FN_NAME_MAX + 1], qual[64];
        if (fn_parse_ref(s, name, sizeof name, qual, sizeof qual) == 0 &&
            (strlen(name) == 0 || strlen(name) > FN_NAME_MAX))
            abort();
        break;
    }
    case 2: {
        size_t n = 0;
        char *d = base64_decode(s, size - 1, &n);
        if (d) {
            /* Whatever decodes must encode and decode back to itself. */
            char *e = base64_encode(d, n);
            size_t n2 = 0;
            char *d2 = e ? base64_decode(e, strlen(e), &n2) : NULL;
            if (e && (!d2 || n2 != n || memcmp(d, d2, n) != 0)) abort();
            free(d2);
            free(e);
            free(d);
        }
        break;
    }
    default: {
        static report_tail_t t;
        static char out[REPORT_TAIL_MAX];
        report_tail_reset(&t);
        for (size_t off = 0; off + 1 < size;) {
            size_t chunk = 1 + (unsigned char)s[off] % 97;
            if (chunk > size - 1 - off) chunk = size - 1 - off;
            report_tail_append(&t, s + off, chunk);
            off += chunk;
        }
        size_t n = report_tail_copy(&t, out);
        size_t want = size - 1 < REPORT_TAIL_MAX ? size - 1 : REPORT_TAIL_MAX;
        if (n != want || memcmp(out, s + (size - 1 - want), want) != 0) abort();
        break;
    }
    }
    free(s);
    return 0;
}
