/* invoke_api: Invoke and control-plane routes, Lambda's error shapes. */
#include "invoke_api.h"

#include "base64.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

struct invoke_api {
    const sigcheck_t *auth; /* NULL: signatures are not checked */
    httpd_t *srv;
    uint16_t port;
    fn_registry_t *reg;
    sched_t *sched;
};

/* Errors are data: one row per AWS error this API returns. */
static const struct {
    const char *name;
    unsigned status;
    const char *type; /* the body's "Type" */
} errors[LAMBDA_ERROR_COUNT] = {
    [LAMBDA_RESOURCE_NOT_FOUND] = {"ResourceNotFoundException", 404, "User"},
    [LAMBDA_RESOURCE_CONFLICT] = {"ResourceConflictException", 409, "User"},
    [LAMBDA_INVALID_PARAMETER_VALUE] = {"InvalidParameterValueException", 400, "User"},
    [LAMBDA_VALIDATION] = {"ValidationException", 400, "User"},
    [LAMBDA_INVALID_REQUEST_CONTENT] = {"InvalidRequestContentException", 400, "User"},
    [LAMBDA_REQUEST_TOO_LARGE] = {"RequestTooLargeException", 413, "User"},
    [LAMBDA_ENTITY_TOO_LARGE] = {"RequestEntityTooLargeException", 413, "User"},
    [LAMBDA_TOO_MANY_REQUESTS] = {"TooManyRequestsException", 429, "User"},
    [LAMBDA_SERVICE] = {"ServiceException", 500, "Service"},
    [LAMBDA_UNKNOWN_OPERATION] = {"UnknownOperationException", 404, "User"},
};

const char *lambda_error_name(lambda_error_t err) { return errors[err].name; }
unsigned lambda_error_status(lambda_error_t err) { return errors[err].status; }

char *lambda_error_body(lambda_error_t err, const char *message)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    /* Lambda names the throttle's reason (botocore models it as Reason). */
    if (err == LAMBDA_TOO_MANY_REQUESTS)
        cJSON_AddStringToObject(o, "Reason", "ConcurrentInvocationLimitExceeded");
    cJSON_AddStringToObject(o, "Type", errors[err].type);
    cJSON_AddStringToObject(o, "message", message);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

const char *invoke_api_strerror(invoke_api_err_t err)
{
    switch (err) {
    case INVOKE_API_OK: return "ok";
    case INVOKE_API_ERR_NOMEM: return "out of memory";
    case INVOKE_API_ERR_LISTEN: return "cannot listen on the Invoke API address";
    }
    return "unknown error";
}

static void request_id(char out[40])
{
    unsigned char r[16];
    if (getrandom(r, sizeof r, 0) != sizeof r) memset(r, 0x33, sizeof r);
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
             r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
             r[14], r[15]);
}

static void reply(httpd_req_t *req, unsigned status, char *body, const char *error_type)
{
    char id[40];
    request_id(id);
    httpd_header_t h[3] = {{"Content-Type", "application/json"}, {"x-amzn-RequestId", id}};
    size_t n = 2;
    if (error_type) h[n++] = (httpd_header_t){"x-amzn-ErrorType", error_type};
    httpd_respond(req, status, h, n, body, body ? strlen(body) : 0);
}

static void reply_error(httpd_req_t *req, lambda_error_t err, const char *message)
{
    reply(req, errors[err].status, lambda_error_body(err, message), errors[err].name);
}

static void reply_json(httpd_req_t *req, unsigned status, cJSON *doc)
{
    char *s = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    if (!s) {
        reply_error(req, LAMBDA_SERVICE, "out of memory");
        return;
    }
    reply(req, status, s, NULL);
}

static void reply_fn_error(httpd_req_t *req, fn_err_t err, const char *msg)
{
    switch (err) {
    case FN_ERR_NOT_FOUND: reply_error(req, LAMBDA_RESOURCE_NOT_FOUND, msg); return;
    case FN_ERR_EXISTS: reply_error(req, LAMBDA_RESOURCE_CONFLICT, msg); return;
    case FN_ERR_INVALID: reply_error(req, LAMBDA_INVALID_PARAMETER_VALUE, msg); return;
    case FN_ERR_VALIDATION: reply_error(req, LAMBDA_VALIDATION, msg); return;
    case FN_OK:
    case FN_ERR_NOMEM:
    case FN_ERR_IO: break;
    }
    reply_error(req, LAMBDA_SERVICE, *msg ? msg : fn_strerror(err));
}

static void not_found(invoke_api_t *api, httpd_req_t *req, const char *name, const char *qual)
{
    char arn[256], msg[320];
    fn_arn(api->reg, name, arn, sizeof arn);
    if (qual && *qual)
        snprintf(msg, sizeof msg, "Function not found: %s:%s", arn, qual);
    else
        snprintf(msg, sizeof msg, "Function not found: %s", arn);
    reply_error(req, LAMBDA_RESOURCE_NOT_FOUND, msg);
}

static cJSON *parse_body(httpd_req_t *req)
{
    size_t len;
    const char *body = httpd_req_body(req, &len);
    return cJSON_ParseWithLength(body, len);
}

static void do_invoke(invoke_api_t *api, httpd_req_t *req, const char *name, const char *qual)
{
    const char *q = httpd_req_query(req, "Qualifier");
    if (q && *qual && strcmp(q, qual) != 0) {
        reply_error(req, LAMBDA_INVALID_PARAMETER_VALUE,
                    "The derived qualifier from the function name does not match the specified "
                    "qualifier.");
        return;
    }
    if (q) qual = q;
    fn_config_t *cfg = fn_get(api->reg, name);
    if (!cfg || (*qual && strcmp(qual, "$LATEST") != 0)) {
        fn_config_release(cfg);
        not_found(api, req, name, qual);
        return;
    }
    size_t len;
    const char *body = httpd_req_body(req, &len);
    if (httpd_req_body_too_large(req) || len > INVOKE_MAX_PAYLOAD) {
        fn_config_release(cfg);
        char msg[128];
        snprintf(msg, sizeof msg,
                 "Request must be smaller than %zu bytes for the InvokeFunction operation",
                 INVOKE_MAX_PAYLOAD);
        reply_error(req, LAMBDA_REQUEST_TOO_LARGE, msg);
        return;
    }
    const char *type = httpd_req_header(req, "X-Amz-Invocation-Type");
    sched_invoke_type_t t = SCHED_REQUEST_RESPONSE;
    int dry = 0;
    if (!type || strcmp(type, "RequestResponse") == 0)
        t = SCHED_REQUEST_RESPONSE;
    else if (strcmp(type, "Event") == 0)
        t = SCHED_EVENT;
    else if (strcmp(type, "DryRun") == 0)
        dry = 1;
    else {
        fn_config_release(cfg);
        reply_error(req, LAMBDA_INVALID_PARAMETER_VALUE,
                    "1 validation error detected: Value at 'invocationType' failed to satisfy "
                    "constraint: Member must satisfy enum value set: [Event, RequestResponse, "
                    "DryRun]");
        return;
    }
    if (t == SCHED_EVENT && len > INVOKE_MAX_EVENT_PAYLOAD) {
        fn_config_release(cfg);
        char msg[128];
        snprintf(msg, sizeof msg,
                 "%zu byte payload is too large for the Event invocation type (limit %zu bytes)",
                 len, INVOKE_MAX_EVENT_PAYLOAD);
        reply_error(req, LAMBDA_ENTITY_TOO_LARGE, msg);
        return;
    }
    if (len) {
        cJSON *doc = cJSON_ParseWithLength(body, len);
        if (!doc) {
            fn_config_release(cfg);
            reply_error(req, LAMBDA_INVALID_REQUEST_CONTENT,
                        "Could not parse request body into json: Could not parse payload into "
                        "json: Unexpected character: was expecting a JSON value");
            return;
        }
        cJSON_Delete(doc);
    }
    char *ctx = NULL;
    const char *ctx64 = httpd_req_header(req, "X-Amz-Client-Context");
    if (ctx64 && *ctx64) {
        size_t clen;
        ctx = base64_decode(ctx64, strlen(ctx64), &clen);
        cJSON *doc = ctx ? cJSON_ParseWithLength(ctx, clen) : NULL;
        if (!cJSON_IsObject(doc)) {
            cJSON_Delete(doc);
            free(ctx);
            fn_config_release(cfg);
            reply_error(req, LAMBDA_INVALID_PARAMETER_VALUE,
                        "Client context must be a valid Base64-encoded JSON object.");
            return;
        }
        cJSON_Delete(doc);
    }
    if (dry) {
        free(ctx);
        fn_config_release(cfg);
        char id[40];
        request_id(id);
        httpd_header_t h[] = {{"x-amzn-RequestId", id}, {"X-Amz-Executed-Version", "$LATEST"}};
        httpd_respond(req, 204, h, 2, NULL, 0);
        return;
    }
    /* An empty payload reaches the function as an empty JSON object. */
    char *payload = malloc(len ? len + 1 : 3);
    if (!payload) {
        free(ctx);
        fn_config_release(cfg);
        reply_error(req, LAMBDA_SERVICE, "out of memory");
        return;
    }
    if (len)
        memcpy(payload, body, len + 1);
    else
        memcpy(payload, "{}", 3);
    const char *log_type = httpd_req_header(req, "X-Amz-Log-Type");
    sched_invoke_t inv = {
        .cfg = cfg,
        .type = t,
        .client = req,
        .payload = payload,
        .len = len ? len : 2,
        .client_context = ctx,
        .qualifier = qual,
        .log_tail = log_type && strcmp(log_type, "Tail") == 0,
    };
    sched_err_t err = sched_invoke(api->sched, &inv);
    free(ctx);
    switch (err) {
    case SCHED_OK:
        if (t == SCHED_EVENT) {
            httpd_header_t h[] = {{"x-amzn-RequestId", inv.request_id}};
            httpd_respond(req, 202, h, 1, NULL, 0);
        }
        return;
    case SCHED_ERR_THROTTLED: reply_error(req, LAMBDA_TOO_MANY_REQUESTS, "Rate Exceeded."); return;
    case SCHED_ERR_STOPPING:
    case SCHED_ERR_NOMEM: reply_error(req, LAMBDA_SERVICE, sched_strerror(err)); return;
    }
}

static void get_function(invoke_api_t *api, httpd_req_t *req, const char *name, int config_only)
{
    fn_config_t *cfg = fn_get(api->reg, name);
    if (!cfg) {
        not_found(api, req, name, NULL);
        return;
    }
    cJSON *conf = fn_config_json(cfg);
    if (config_only || !conf) {
        fn_config_release(cfg);
        reply_json(req, 200, conf);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "Configuration", conf);
    cJSON *code = cJSON_AddObjectToObject(o, "Code");
    cJSON_AddStringToObject(code, "RepositoryType", "S3");
    char loc[1100];
    snprintf(loc, sizeof loc, "file://%s", cfg->task_root);
    cJSON_AddStringToObject(code, "Location", loc);
    fn_config_release(cfg);
    reply_json(req, 200, o);
}

typedef enum op { OP_CREATE, OP_UPDATE_CONFIG, OP_UPDATE_CODE } op_t;

static void change_function(invoke_api_t *api, httpd_req_t *req, op_t op, const char *name)
{
    if (httpd_req_body_too_large(req)) {
        reply_error(req, LAMBDA_REQUEST_TOO_LARGE,
                    "Request must be smaller than 70167211 bytes "
                    "for the CreateFunction operation");
        return;
    }
    cJSON *doc = parse_body(req);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        reply_error(req, LAMBDA_INVALID_REQUEST_CONTENT, "Could not parse request body into json");
        return;
    }
    char msg[FN_MSG_MAX] = "";
    fn_config_t *cfg = NULL;
    fn_err_t err;
    unsigned status = 200;
    switch (op) {
    case OP_CREATE:
        err = fn_create(api->reg, doc, &cfg, msg);
        status = 201;
        break;
    case OP_UPDATE_CONFIG: err = fn_update_config(api->reg, name, doc, &cfg, msg); break;
    default: err = fn_update_code(api->reg, name, doc, &cfg, msg); break;
    }
    cJSON_Delete(doc);
    if (err != FN_OK) {
        reply_fn_error(req, err, msg);
        return;
    }
    reply_json(req, status, fn_config_json(cfg));
    fn_config_release(cfg);
}

/* --auth strict: checks the request's SigV4 signature; when it fails, answers
 * as Lambda does (403, the error's name in x-amzn-ErrorType) and returns 0. */
static int signature_ok(const sigcheck_t *auth, httpd_req_t *req)
{
    static const char *const names[] = {
        [SIGCHECK_MISSING] = "MissingAuthenticationTokenException",
        [SIGCHECK_INCOMPLETE] = "IncompleteSignatureException",
        [SIGCHECK_INVALID] = "InvalidSignatureException",
        [SIGCHECK_UNRECOGNIZED] = "UnrecognizedClientException",
    };
    size_t len;
    const char *body = httpd_req_body(req, &len);
    char msg[2048];
    sigcheck_result_t r = sigcheck_httpd(auth, req, body, len, time(NULL), msg, sizeof msg);
    if (r == SIGCHECK_VALID) return 1;
    if (r == SIGCHECK_OUT_OF_MEMORY) {
        reply_error(req, LAMBDA_SERVICE, "out of memory");
        return 0;
    }
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;
    if (o && cJSON_AddStringToObject(o, "message", msg)) text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    reply(req, 403, text, names[r]);
    return 0;
}

void invoke_api_set_auth(invoke_api_t *api, const sigcheck_t *auth) { api->auth = auth; }

/* /2015-03-31/functions[/{name}[/{sub}]] */
static void on_request(void *ctx, httpd_req_t *req)
{
    invoke_api_t *api = ctx;
    /* The same thread answers every environment's Runtime API: a request
     * that came in on another port is a runtime's. A request can arrive
     * between httpd_start and the end of invoke_api_start: it waits until the
     * scheduler knows the server, or the runtimes it starts would find
     * nobody to take their connections. */
    uint16_t own;
    while (!(own = __atomic_load_n(&api->port, __ATOMIC_ACQUIRE))) {
        struct timespec pause = {0, 100000};
        nanosleep(&pause, NULL);
    }
    if (httpd_req_local_port(req) != own) {
        sched_runtime_request(api->sched, req);
        return;
    }
    if (api->auth && !signature_ok(api->auth, req)) return;
    const char *method = httpd_req_method(req);
    const char *path = httpd_req_path(req);
    static const char prefix[] = "/2015-03-31/functions";
    if (strncmp(path, prefix, sizeof prefix - 1) != 0) {
        reply_error(req, LAMBDA_UNKNOWN_OPERATION, "Unknown operation");
        return;
    }
    const char *rest = path + sizeof prefix - 1;
    if (*rest == '\0' || strcmp(rest, "/") == 0) {
        if (strcmp(method, "POST") == 0)
            change_function(api, req, OP_CREATE, NULL);
        else if (strcmp(method, "GET") == 0)
            reply_json(req, 200, fn_list_json(api->reg));
        else
            reply_error(req, LAMBDA_UNKNOWN_OPERATION, "Unknown operation");
        return;
    }
    if (*rest != '/') {
        reply_error(req, LAMBDA_UNKNOWN_OPERATION, "Unknown operation");
        return;
    }
    rest++;
    char ref[300], name[FN_NAME_MAX + 1], qual[130];
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *sub = slash ? slash + 1 : "";
    if (n >= sizeof ref) n = sizeof ref - 1;
    memcpy(ref, rest, n);
    ref[n] = '\0';
    if (fn_parse_ref(ref, name, sizeof name, qual, sizeof qual) != 0) {
        char msg[FN_MSG_MAX];
        snprintf(msg, sizeof msg,
                 "1 validation error detected: Value '%s' at 'functionName' failed to satisfy "
                 "constraint: Member must satisfy regular expression pattern: "
                 "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
                 "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                 ref);
        reply_error(req, LAMBDA_VALIDATION, msg);
        return;
    }
    if (strcmp(sub, "invocations") == 0 && strcmp(method, "POST") == 0) {
        do_invoke(api, req, name, qual);
    } else if (*sub == '\0' && strcmp(method, "GET") == 0) {
        get_function(api, req, name, 0);
    } else if (*sub == '\0' && strcmp(method, "DELETE") == 0) {
        char msg[FN_MSG_MAX] = "";
        fn_err_t err = fn_delete(api->reg, name, msg);
        if (err != FN_OK) {
            reply_fn_error(req, err, msg);
            return;
        }
        char id[40];
        request_id(id);
        httpd_header_t h[] = {{"x-amzn-RequestId", id}};
        httpd_respond(req, 204, h, 1, NULL, 0);
    } else if (strcmp(sub, "configuration") == 0 && strcmp(method, "GET") == 0) {
        get_function(api, req, name, 1);
    } else if (strcmp(sub, "configuration") == 0 && strcmp(method, "PUT") == 0) {
        change_function(api, req, OP_UPDATE_CONFIG, name);
    } else if (strcmp(sub, "code") == 0 && strcmp(method, "PUT") == 0) {
        change_function(api, req, OP_UPDATE_CODE, name);
    } else {
        reply_error(req, LAMBDA_UNKNOWN_OPERATION, "Unknown operation");
    }
}

invoke_api_err_t invoke_api_start(const char *host, uint16_t port, unsigned threads,
                                  fn_registry_t *reg, sched_t *sched, invoke_api_t **out)
{
    invoke_api_t *api = calloc(1, sizeof *api);
    if (!api) return INVOKE_API_ERR_NOMEM;
    api->reg = reg;
    api->sched = sched;
    httpd_config_t cfg = {
        .host = host,
        .port = port,
        .max_body = INVOKE_MAX_BODY,
        .threads = threads,
        .handler = on_request,
        .ctx = api,
    };
    if (httpd_start(&cfg, &api->srv) != HTTPD_OK) {
        free(api);
        return INVOKE_API_ERR_LISTEN;
    }
    sched_attach_server(sched, api->srv);
    __atomic_store_n(&api->port, httpd_port(api->srv), __ATOMIC_RELEASE);
    *out = api;
    return INVOKE_API_OK;
}

uint16_t invoke_api_port(const invoke_api_t *api) { return httpd_port(api->srv); }

void invoke_api_stop(invoke_api_t *api)
{
    if (!api) return;
    httpd_stop(api->srv);
    free(api);
}
