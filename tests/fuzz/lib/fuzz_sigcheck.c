/* Fuzz target: a server's SigV4 check of whole requests (sigcheck_request:
 * the Authorization header, X-Amz-Date, the credential scope, the token, and
 * the canonical request of the method, path, query, headers and body).
 *
 * Input: the method on the first line, the path with its query on the
 * second, then "Name: value" header lines up to an empty line, then the
 * body. The server knows one long-term and one temporary credential and its
 * clock is fixed at 2015-08-30T12:36:00Z, so that signed inputs in the
 * corpus reach the signature comparison. */
#include "sigcheck.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADERS 64
#define NOW 1440938160 /* 2015-08-30T12:36:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sigcheck_t *server(void)
{
    static sigcheck_t *c;
    if (!c) {
        c = sigcheck_new("us-east-1", "dynamodb");
        if (!c ||
            sigcheck_add(c, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL) ||
            sigcheck_add(c, "ASIATEMPORARY", "temporary-secret", "session-token"))
            abort();
    }
    return c;
}

/* The next line of [*p, end) as a NUL-terminated string (the buffer is a
 * copy, so the newline is overwritten); NULL at the end. */
static char *next_line(char **p, char *end)
{
    if (*p >= end) return NULL;
    char *line = *p, *nl = memchr(line, '\n', (size_t)(end - line));
    if (!nl) nl = end;
    *nl = '\0';
    *p = nl + 1;
    return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *p = buf, *end = buf + size;
    char *method = next_line(&p, end), *path = next_line(&p, end);
    sigcheck_header_t headers[MAX_HEADERS];
    size_t n = 0;
    char *line;
    while (n < MAX_HEADERS && (line = next_line(&p, end)) && *line) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ') value++;
        headers[n++] = (sigcheck_header_t){line, value};
    }
    const char *body = p < end ? p : "";
    size_t len = p < end ? (size_t)(end - p) : 0;
    char msg[1200];
    sigcheck_request(server(), method ? method : "", path ? path : "/", headers, n, body, len, NOW,
                     msg, sizeof msg);
    free(buf);
    return 0;
}
