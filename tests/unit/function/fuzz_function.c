/* libFuzzer target over the function's parsers of outside input. The first
 * byte picks the parser, the rest is its input:
 *   0 the benchmark function's event      (bench_event_op)
 *   1 an endpoint URL                      (ddb_config_set_endpoint)
 *   2 a DynamoDB error body                (ddb_response_parse_error)
 *   3 a request to canonicalize: "path\nquery\nheader value" (sigv4)
 *   4 "crc32 header\nbody"                 (ddb_crc32_matches)
 *   5 an Authorization header               (sigv4_authz_parse)
 * Built as fuzz-function with -DFUZZ=ON; replayed over corpus/ by every
 * build (replay-function-corpus). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench_event.h"
#include "ddb_config.h"
#include "ddb_response.h"
#include "sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    unsigned which = data[0] % 6;
    size_t n = size - 1;
    char *s = malloc(n + 1);
    if (!s) return 0;
    memcpy(s, data + 1, n);
    s[n] = '\0';
    switch (which) {
    case 0: {
        bench_op_t op;
        char name[64];
        bench_event_op(s, n, &op, name, sizeof name);
        break;
    }
    case 1: {
        ddb_config_t cfg = {0};
        if (ddb_config_set_endpoint(&cfg, s) == DDB_OK && (!cfg.host || !cfg.path)) abort();
        free(cfg.host);
        free(cfg.path);
        free(cfg.endpoint);
        break;
    }
    case 2: {
        ddb_response_t r = {0};
        r.status = 400;
        r.body = malloc(n + 1);
        if (!r.body) break;
        memcpy(r.body, s, n + 1);
        r.body_len = n;
        ddb_response_parse_error(&r);
        if (strlen(r.error_type) >= sizeof r.error_type) abort();
        ddb_response_reset(&r);
        break;
    }
    case 3: {
        char *path = s, *query = strchr(path, '\n'), *value = NULL;
        if (query) {
            *query++ = '\0';
            value = strchr(query, '\n');
            if (value) *value++ = '\0';
        }
        sigv4_header_t hs[2] = {{"Host", "example.amazonaws.com"}, {"X-Fuzz", value ? value : ""}};
        sigv4_request_t req = {.method = "POST",
                               .path = path,
                               .query = query,
                               .headers = hs,
                               .n_headers = 2,
                               .body = s,
                               .body_len = strlen(s)};
        char *creq = NULL, *signed_headers = NULL;
        if (sigv4_canonical_request(&req, &creq, &signed_headers) == SIGV4_OK) {
            if (strcmp(signed_headers, "host;x-fuzz") != 0) abort();
            free(creq);
            free(signed_headers);
        }
        break;
    }
    case 4: {
        char *nl = strchr(s, '\n');
        const char *body = nl ? nl + 1 : "";
        if (nl) *nl = '\0';
        ddb_crc32_matches(s, body, strlen(body));
        break;
    }
    case 5: {
        sigv4_authz_t a;
        if (sigv4_authz_parse(s, &a) == SIGV4_OK && strlen(a.signature) != 64) abort();
        break;
    }
    }
    free(s);
    return 0;
}
