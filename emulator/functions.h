/* functions: the function registry -- configurations, code and state dirs.
 *
 * A function's configuration is an immutable, reference-counted snapshot:
 * an update makes a new snapshot and marks the old one retired, so an
 * execution environment started from the old one knows it must not be
 * reused (the next invoke is a cold start, as on Lambda). Code from a
 * CreateFunction/UpdateFunctionCode ZipFile is unpacked (with unzip(1))
 * into <state dir>/functions/<name>/<n>/ and removed with its last snapshot.
 *
 * Thread-safe. Ownership: fn_get and the create/update calls return a
 * reference the caller drops with fn_config_release (accepts NULL). Strings
 * in a snapshot live as long as the snapshot. Nothing here starts runtimes.
 */
#ifndef FUNCTIONS_H
#define FUNCTIONS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define FN_NAME_MAX 64
#define FN_MSG_MAX 512

typedef struct fn_config {
    int refs;    /* atomic */
    int retired; /* atomic: replaced or deleted */
    char *name, *arn, *runtime, *handler, *role, *description;
    unsigned memory_mb, timeout_s;
    char **vars; /* "KEY=VALUE", the function's Environment.Variables */
    size_t nvars;
    char **argv; /* the runtime command, NULL-terminated */
    char *task_root;
    char *owned_dir; /* code dir removed when the snapshot dies; may be NULL */
    int bill_init;   /* provided.* and images bill the init phase */
    uint64_t code_size;
    char code_sha256[48];
    char last_modified[40];
    char revision_id[40];
} fn_config_t;

typedef struct fn_registry fn_registry_t;

typedef enum fn_err {
    FN_OK = 0,
    FN_ERR_NOMEM,
    FN_ERR_NOT_FOUND,  /* ResourceNotFoundException */
    FN_ERR_EXISTS,     /* ResourceConflictException */
    FN_ERR_INVALID,    /* InvalidParameterValueException */
    FN_ERR_VALIDATION, /* ValidationException (a constraint on a field) */
    FN_ERR_IO,         /* state dir or unzip failed */
} fn_err_t;

const char *fn_strerror(fn_err_t err);

/* Called (outside the registry lock) whenever a snapshot is retired. */
typedef void (*fn_retire_fn)(void *ctx, const char *name);

/* state_dir must exist. region and account form the ARNs. *out is set only
 * on success. */
fn_err_t fn_registry_new(const char *state_dir, const char *region, const char *account,
                         fn_registry_t **out);
void fn_registry_free(fn_registry_t *reg);
void fn_registry_on_retire(fn_registry_t *reg, fn_retire_fn fn, void *ctx);
const char *fn_registry_region(const fn_registry_t *reg);

/* Registers a function that runs a local command (the RIE-style start).
 * argv and vars are copied; vars is a NULL-terminated "K=V" list or NULL. */
fn_err_t fn_add_local(fn_registry_t *reg, const char *name, char *const *argv,
                      const char *task_root, const char *handler, unsigned memory_mb,
                      unsigned timeout_s, char *const *vars);

/* The control plane: each takes the request's JSON document; on failure a
 * message in AWS's words is written to msg (FN_MSG_MAX bytes). */
fn_err_t fn_create(fn_registry_t *reg, const cJSON *req, fn_config_t **out, char *msg);
fn_err_t fn_update_config(fn_registry_t *reg, const char *name, const cJSON *req, fn_config_t **out,
                          char *msg);
fn_err_t fn_update_code(fn_registry_t *reg, const char *name, const cJSON *req, fn_config_t **out,
                        char *msg);
fn_err_t fn_delete(fn_registry_t *reg, const char *name, char *msg);

/* The current snapshot, or NULL. */
fn_config_t *fn_get(fn_registry_t *reg, const char *name);
void fn_config_retain(fn_config_t *cfg);
void fn_config_release(fn_config_t *cfg);
int fn_config_retired(const fn_config_t *cfg);

/* FunctionConfiguration as Lambda returns it; caller frees (cJSON_Delete). */
cJSON *fn_config_json(const fn_config_t *cfg);
/* {"Functions":[...]} */
cJSON *fn_list_json(fn_registry_t *reg);
/* The ARN of a function name (for "Function not found: <arn>"). */
void fn_arn(const fn_registry_t *reg, const char *name, char *out, size_t cap);

/* Splits a FunctionName as the API accepts it (name, name:qualifier,
 * partial or full ARN) into name and qualifier (qual may come out empty).
 * Returns 0, or -1 when it is not a valid function name. */
int fn_parse_ref(const char *ref, char *name, size_t name_cap, char *qual, size_t qual_cap);

#endif
