/* result: what one benchmark run against one server measured, and its text
 * form, so that runs against several servers (each perhaps in its own network
 * namespace) can be printed side by side afterwards.
 *
 * The text form is one "key value..." line per fact; result_read accepts what
 * result_write writes and rejects anything else. A result is a plain value:
 * no pointers, nothing to free.
 */
#ifndef BENCH_DDB_RESULT_H
#define BENCH_DDB_RESULT_H

#include <stdio.h>

typedef enum result_op {
    RESULT_FLOOR = 0, /* GET /: the HTTP round trip with no DynamoDB work */
    RESULT_PUT,
    RESULT_GET,
    RESULT_QUERY,
    RESULT_BATCH,
    RESULT_UPDATE,   /* UpdateItem with a ConditionExpression */
    RESULT_FILTER,   /* Query with a FilterExpression over 100 items */
    RESULT_TRANSACT, /* TransactWriteItems of 10 actions */
    RESULT_NOPS
} result_op_t;

typedef enum result_err {
    RESULT_OK = 0,
    RESULT_EIO,     /* the stream could not be written or read */
    RESULT_EFORMAT, /* a line is not one result_write writes */
} result_err_t;

const char *result_strerror(result_err_t err);

/* The operation's name: DynamoDB's ("PutItem"), or "QueryFilter" for the
 * filtered Query. */
const char *result_op_name(result_op_t op);

typedef struct result_op_figures {
    int measured;    /* 0: not run (skipped or an earlier step failed) */
    int failed;      /* a request failed or an answer failed its check */
    int unsupported; /* the server answered UnknownOperationException */
    unsigned long count;
    double p50_us, p99_us, ops_per_s;
} result_op_figures_t;

typedef struct result {
    char server[48]; /* one word: the column heading */
    int skipped;     /* the server was not run at all */
    int failed;      /* something went wrong: see note */
    char note[200];
    double startup_ms;   /* < 0: not measured */
    long connections;    /* TCP connections the client opened */
    unsigned long items; /* items loaded before memory was read */
    long rss_kb, hwm_kb; /* after the load; < 0: not measured */
    long idle_rss_kb;    /* VmRSS once it first answered; < 0: not measured */
    char process[32];    /* the measured process's name */
    result_op_figures_t ops[RESULT_NOPS];
} result_t;

/* A result with nothing measured yet, for server. */
void result_init(result_t *r, const char *server);

result_err_t result_write(FILE *f, const result_t *r);
/* *out is set only on success. */
result_err_t result_read(FILE *f, result_t *out);

#endif
