/* invoke_api: the Lambda API as clients call it (REST-JSON, 2015-03-31).
 *
 * Invoke (RequestResponse, Event, DryRun; Qualifier; client context; log
 * tail) and the control plane the aws CLI uses: CreateFunction, GetFunction,
 * GetFunctionConfiguration, UpdateFunctionConfiguration, UpdateFunctionCode,
 * ListFunctions, DeleteFunction. Errors come from one table (lambda_error_t)
 * in Lambda's shape: status code, x-amzn-ErrorType header and a JSON body
 * {"Type":"User","message":...}.
 *
 * Its server thread also answers every environment's Runtime API (requests
 * that come in on an environment's port go to sched_runtime_request), so an
 * invoke crosses no thread inside the emulator.
 *
 * Ownership: the API borrows the registry and the scheduler; both must
 * outlive it, and the scheduler must be shut down before the API stops.
 * invoke_api_stop accepts NULL.
 */
#ifndef INVOKE_API_H
#define INVOKE_API_H

#include "functions.h"
#include "httpd.h"
#include "scheduler.h"
#include "sigcheck.h"

#include <stddef.h>
#include <stdint.h>

/* Lambda's limit on a synchronous invoke's request body. */
#define INVOKE_MAX_PAYLOAD ((size_t)6291456)
/* And on an asynchronous (Event) invoke's. */
#define INVOKE_MAX_EVENT_PAYLOAD ((size_t)1048576)
/* Largest control-plane body: a 50 MB zip, base64-encoded, plus JSON. */
#define INVOKE_MAX_BODY ((size_t)72 * 1024 * 1024)

typedef enum lambda_error {
    LAMBDA_RESOURCE_NOT_FOUND,
    LAMBDA_RESOURCE_CONFLICT,
    LAMBDA_INVALID_PARAMETER_VALUE,
    LAMBDA_VALIDATION,
    LAMBDA_INVALID_REQUEST_CONTENT,
    LAMBDA_REQUEST_TOO_LARGE,
    LAMBDA_ENTITY_TOO_LARGE, /* an Event payload over its limit */
    LAMBDA_TOO_MANY_REQUESTS,
    LAMBDA_SERVICE,
    LAMBDA_UNKNOWN_OPERATION,
    LAMBDA_ERROR_COUNT
} lambda_error_t;

/* The error's name (x-amzn-ErrorType) and HTTP status. */
const char *lambda_error_name(lambda_error_t err);
unsigned lambda_error_status(lambda_error_t err);
/* The JSON body of an error answer; malloc'd, caller frees. */
char *lambda_error_body(lambda_error_t err, const char *message);

typedef struct invoke_api invoke_api_t;

typedef enum invoke_api_err {
    INVOKE_API_OK = 0,
    INVOKE_API_ERR_NOMEM,
    INVOKE_API_ERR_LISTEN,
} invoke_api_err_t;

const char *invoke_api_strerror(invoke_api_err_t err);

/* threads: httpd threads for the API (1 is plenty: handlers never block). */
invoke_api_err_t invoke_api_start(const char *host, uint16_t port, unsigned threads,
                                  fn_registry_t *reg, sched_t *sched, invoke_api_t **out);
uint16_t invoke_api_port(const invoke_api_t *api);
/* Turns the strict SigV4 check on (auth not NULL) for every later request;
 * the caller keeps auth alive while the API runs. */
void invoke_api_set_auth(invoke_api_t *api, const sigcheck_t *auth);
void invoke_api_stop(invoke_api_t *api);

#endif
