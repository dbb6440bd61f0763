/* functions: registry of function snapshots, ZipFile unpacking. */
#define _GNU_SOURCE
#include "functions.h"

#include "base64.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ZIP_MAX ((size_t)50 * 1024 * 1024) /* Lambda's direct-upload quota */

typedef struct fn_entry {
    fn_config_t *cfg;
    struct fn_entry *next;
} fn_entry_t;

struct fn_registry {
    pthread_mutex_t lock;
    fn_entry_t *head;
    char *state_dir, *region, *account;
    unsigned long code_seq;
    fn_retire_fn on_retire;
    void *retire_ctx;
};

const char *fn_strerror(fn_err_t err)
{
    switch (err) {
    case FN_OK: return "ok";
    case FN_ERR_NOMEM: return "out of memory";
    case FN_ERR_NOT_FOUND: return "function not found";
    case FN_ERR_EXISTS: return "function already exists";
    case FN_ERR_INVALID: return "invalid parameter value";
    case FN_ERR_VALIDATION: return "validation error";
    case FN_ERR_IO: return "state directory or unzip failure";
    }
    return "unknown error";
}

static char *dupstr(const char *s) { return s ? strdup(s) : NULL; }

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : 0;
}

static void rm_tree(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static void strv_free(char **v)
{
    if (!v) return;
    for (size_t i = 0; v[i]; i++) free(v[i]);
    free(v);
}

static char **strv_dup(char *const *v)
{
    size_t n = 0;
    while (v && v[n]) n++;
    char **out = calloc(n + 1, sizeof *out);
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(out[i] = strdup(v[i]))) {
            strv_free(out);
            return NULL;
        }
    }
    return out;
}

static void config_free(fn_config_t *c)
{
    if (!c) return;
    if (c->owned_dir) {
        rm_tree(c->owned_dir);
        free(c->owned_dir);
    }
    free(c->name);
    free(c->arn);
    free(c->runtime);
    free(c->handler);
    free(c->role);
    free(c->description);
    strv_free(c->vars);
    strv_free(c->argv);
    free(c->task_root);
    free(c);
}

void fn_config_retain(fn_config_t *cfg) { __atomic_add_fetch(&cfg->refs, 1, __ATOMIC_RELAXED); }

void fn_config_release(fn_config_t *cfg)
{
    if (cfg && __atomic_sub_fetch(&cfg->refs, 1, __ATOMIC_ACQ_REL) == 0) config_free(cfg);
}

int fn_config_retired(const fn_config_t *cfg)
{
    return __atomic_load_n(&cfg->retired, __ATOMIC_ACQUIRE);
}

static void stamp(fn_config_t *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(c->last_modified, sizeof c->last_modified, "%s.%03ld+0000", base,
             ts.tv_nsec / 1000000);
    unsigned char r[16];
    if (getrandom(r, sizeof r, 0) != sizeof r) memset(r, 0x5a, sizeof r);
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(c->revision_id, sizeof c->revision_id,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
             r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14],
             r[15]);
}

fn_err_t fn_registry_new(const char *state_dir, const char *region, const char *account,
                         fn_registry_t **out)
{
    fn_registry_t *reg = calloc(1, sizeof *reg);
    if (!reg) return FN_ERR_NOMEM;
    pthread_mutex_init(&reg->lock, NULL);
    reg->state_dir = strdup(state_dir);
    reg->region = strdup(region);
    reg->account = strdup(account);
    if (!reg->state_dir || !reg->region || !reg->account) {
        fn_registry_free(reg);
        return FN_ERR_NOMEM;
    }
    *out = reg;
    return FN_OK;
}

void fn_registry_free(fn_registry_t *reg)
{
    if (!reg) return;
    for (fn_entry_t *e = reg->head, *n; e; e = n) {
        n = e->next;
        __atomic_store_n(&e->cfg->retired, 1, __ATOMIC_RELEASE);
        fn_config_release(e->cfg);
        free(e);
    }
    pthread_mutex_destroy(&reg->lock);
    free(reg->state_dir);
    free(reg->region);
    free(reg->account);
    free(reg);
}

void fn_registry_on_retire(fn_registry_t *reg, fn_retire_fn fn, void *ctx)
{
    reg->on_retire = fn;
    reg->retire_ctx = ctx;
}

const char *fn_registry_region(const fn_registry_t *reg) { return reg->region; }

void fn_arn(const fn_registry_t *reg, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "arn:aws:lambda:%s:%s:function:%s", reg->region, reg->account, name);
}

static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n > FN_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

int fn_parse_ref(const char *ref, char *name, size_t name_cap, char *qual, size_t qual_cap)
{
    const char *p = strstr(ref, ":function:");
    if (p)
        p += strlen(":function:");
    else if (strncmp(ref, "arn:", 4) == 0)
        return -1;
    else
        p = ref;
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    if (!valid_name(p, n) || n >= name_cap) return -1;
    memcpy(name, p, n);
    name[n] = '\0';
    const char *q = colon ? colon + 1 : "";
    if (strlen(q) >= qual_cap || strchr(q, ':')) return -1;
    strcpy(qual, q);
    return 0;
}

/* Caller holds the lock. */
static fn_entry_t **find_locked(fn_registry_t *reg, const char *name)
{
    fn_entry_t **pp = &reg->head;
    while (*pp && strcmp((*pp)->cfg->name, name) != 0) pp = &(*pp)->next;
    return pp;
}

fn_config_t *fn_get(fn_registry_t *reg, const char *name)
{
    pthread_mutex_lock(&reg->lock);
    fn_entry_t *e = *find_locked(reg, name);
    fn_config_t *cfg = e ? e->cfg : NULL;
    if (cfg) fn_config_retain(cfg);
    pthread_mutex_unlock(&reg->lock);
    return cfg;
}

/* Replaces the snapshot of an existing entry (or adds one); the old one is
 * retired. Takes one reference to cfg. */
static void install(fn_registry_t *reg, fn_config_t *cfg, int replace)
{
    fn_config_t *old = NULL;
    pthread_mutex_lock(&reg->lock);
    fn_entry_t *e = *find_locked(reg, cfg->name);
    if (e && replace) {
        old = e->cfg;
        e->cfg = cfg;
    } else {
        fn_entry_t *n = calloc(1, sizeof *n);
        if (n) { /* on failure the function is simply not registered */
            n->cfg = cfg;
            n->next = reg->head;
            reg->head = n;
        } else {
            fn_config_release(cfg);
        }
    }
    pthread_mutex_unlock(&reg->lock);
    if (old) {
        __atomic_store_n(&old->retired, 1, __ATOMIC_RELEASE);
        if (reg->on_retire) reg->on_retire(reg->retire_ctx, old->name);
        fn_config_release(old);
    }
}

fn_err_t fn_add_local(fn_registry_t *reg, const char *name, char *const *argv,
                      const char *task_root, const char *handler, unsigned memory_mb,
                      unsigned timeout_s, char *const *vars)
{
    fn_config_t *c = calloc(1, sizeof *c);
    if (!c) return FN_ERR_NOMEM;
    c->refs = 1;
    char arn[256];
    fn_arn(reg, name, arn, sizeof arn);
    size_t nv = 0;
    while (vars && vars[nv]) nv++;
    c->name = strdup(name);
    c->arn = strdup(arn);
    c->runtime = strdup("provided.al2023");
    c->handler = strdup(handler ? handler : "");
    c->role = strdup("arn:aws:iam::000000000000:role/lambda-role");
    c->description = strdup("");
    c->argv = strv_dup(argv);
    c->vars = strv_dup(vars);
    c->nvars = nv;
    c->task_root = strdup(task_root);
    c->memory_mb = memory_mb;
    c->timeout_s = timeout_s;
    c->bill_init = 1;
    stamp(c);
    if (!c->name || !c->arn || !c->runtime || !c->handler || !c->role || !c->description ||
        !c->argv || !c->vars || !c->task_root) {
        config_free(c);
        return FN_ERR_NOMEM;
    }
    install(reg, c, 1);
    return FN_OK;
}

static int run_unzip(const char *zip, const char *dir)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execlp("unzip", "unzip", "-q", "-o", zip, "-d", dir, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) <= 1 ? 0 : -1; /* 1: warnings only */
}

/* Unpacks Code.ZipFile (base64) into a fresh code dir of the function and
 * fills task_root, argv, owned_dir, code_size and code_sha256. */
static fn_err_t unpack_code(fn_registry_t *reg, fn_config_t *c, const char *zip_b64, char *msg)
{
    fn_err_t err = FN_ERR_INVALID;
    size_t len = 0;
    unsigned char *zip = (unsigned char *)base64_decode(zip_b64, strlen(zip_b64), &len);
    char path[1024], dir[1024];
    int fd = -1;
    if (!zip || len < 22 || len > ZIP_MAX || memcmp(zip, "PK", 2) != 0) {
        snprintf(msg, FN_MSG_MAX,
                 "Could not unzip uploaded file. Please check your file, then try to upload "
                 "again.");
        goto out;
    }
    pthread_mutex_lock(&reg->lock);
    unsigned long seq = ++reg->code_seq;
    pthread_mutex_unlock(&reg->lock);
    snprintf(path, sizeof path, "%s/functions", reg->state_dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/functions/%s", reg->state_dir, c->name);
    mkdir(path, 0755);
    snprintf(dir, sizeof dir, "%s/functions/%s/%lu", reg->state_dir, c->name, seq);
    snprintf(path, sizeof path, "%s/functions/%s/%lu.zip", reg->state_dir, c->name, seq);
    err = FN_ERR_IO;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(msg, FN_MSG_MAX, "cannot create %s: %s", dir, strerror(errno));
        goto out;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, zip, len) != (ssize_t)len) {
        snprintf(msg, FN_MSG_MAX, "cannot write %s", path);
        rm_tree(dir);
        goto out;
    }
    close(fd);
    fd = -1;
    int rc = run_unzip(path, dir);
    unlink(path);
    if (rc != 0) {
        rm_tree(dir);
        err = FN_ERR_INVALID;
        snprintf(msg, FN_MSG_MAX,
                 "Could not unzip uploaded file. Please check your file, then try to upload "
                 "again.");
        goto out;
    }
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(zip, len, digest);
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < sizeof digest; i += 3) {
        unsigned v = (unsigned)digest[i] << 16;
        if (i + 1 < sizeof digest) v |= (unsigned)digest[i + 1] << 8;
        if (i + 2 < sizeof digest) v |= digest[i + 2];
        c->code_sha256[o++] = tbl[v >> 18];
        c->code_sha256[o++] = tbl[(v >> 12) & 63];
        c->code_sha256[o++] = i + 1 < sizeof digest ? tbl[(v >> 6) & 63] : '=';
        c->code_sha256[o++] = i + 2 < sizeof digest ? tbl[v & 63] : '=';
    }
    c->code_sha256[o] = '\0';
    c->code_size = len;
    free(c->owned_dir);
    free(c->task_root);
    strv_free(c->argv);
    c->argv = NULL;
    c->owned_dir = strdup(dir);
    c->task_root = strdup(dir);
    snprintf(path, sizeof path, "%s/bootstrap", dir);
    char *argv[] = {path, NULL};
    c->argv = strv_dup(argv);
    err = (c->owned_dir && c->task_root && c->argv) ? FN_OK : FN_ERR_NOMEM;
out:
    if (fd >= 0) close(fd);
    free(zip);
    return err;
}

/* Reads the number member key of req into *out when present; out of
 * [lo, hi] it is Lambda's validation error naming field. */
static fn_err_t ranged(const cJSON *req, const char *key, const char *field, int lo, int hi,
                       unsigned *out, char *msg)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    if (!v || !cJSON_IsNumber(v)) return FN_OK;
    if (v->valuedouble < lo || v->valuedouble > hi) {
        snprintf(msg, FN_MSG_MAX,
                 "1 validation error detected: Value '%d' at '%s' failed to satisfy "
                 "constraint: Member must have value %s than or equal to %d",
                 v->valueint, field, v->valuedouble < lo ? "greater" : "less",
                 v->valuedouble < lo ? lo : hi);
        return FN_ERR_VALIDATION;
    }
    *out = (unsigned)v->valueint;
    return FN_OK;
}

/* Applies the configuration fields present in req to c. */
static fn_err_t apply_config(fn_config_t *c, const cJSON *req, char *msg)
{
    const cJSON *v;
#define SET_STR(field, key)                                                                        \
    if ((v = cJSON_GetObjectItemCaseSensitive(req, key)) && cJSON_IsString(v)) {                   \
        char *s = strdup(v->valuestring);                                                          \
        if (!s) return FN_ERR_NOMEM;                                                               \
        free(c->field);                                                                            \
        c->field = s;                                                                              \
    }
    SET_STR(runtime, "Runtime");
    SET_STR(handler, "Handler");
    SET_STR(role, "Role");
    SET_STR(description, "Description");
#undef SET_STR
    fn_err_t err = ranged(req, "MemorySize", "memorySize", 128, 10240, &c->memory_mb, msg);
    if (err == FN_OK) err = ranged(req, "Timeout", "timeout", 1, 900, &c->timeout_s, msg);
    if (err != FN_OK) return err;
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(req, "Environment");
    if (env && cJSON_IsObject(env)) {
        const cJSON *vars = cJSON_GetObjectItemCaseSensitive(env, "Variables");
        size_t n = (size_t)cJSON_GetArraySize(vars);
        char **out = calloc(n + 1, sizeof *out);
        if (!out) return FN_ERR_NOMEM;
        size_t i = 0;
        const cJSON *kv;
        cJSON_ArrayForEach(kv, vars)
        {
            if (!cJSON_IsString(kv)) continue;
            size_t len = strlen(kv->string) + strlen(kv->valuestring) + 2;
            if (!(out[i] = malloc(len))) {
                strv_free(out);
                return FN_ERR_NOMEM;
            }
            snprintf(out[i++], len, "%s=%s", kv->string, kv->valuestring);
        }
        strv_free(c->vars);
        c->vars = out;
        c->nvars = i;
    }
    c->bill_init = strncmp(c->runtime, "provided", 8) == 0;
    return FN_OK;
}

static fn_config_t *config_copy(const fn_config_t *o)
{
    fn_config_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    *c = *o;
    c->refs = 1;
    c->retired = 0;
    c->name = dupstr(o->name);
    c->arn = dupstr(o->arn);
    c->runtime = dupstr(o->runtime);
    c->handler = dupstr(o->handler);
    c->role = dupstr(o->role);
    c->description = dupstr(o->description);
    c->vars = strv_dup(o->vars);
    c->argv = strv_dup(o->argv);
    c->task_root = dupstr(o->task_root);
    c->owned_dir = NULL; /* the old snapshot keeps its dir; see below */
    if (!c->name || !c->arn || !c->runtime || !c->handler || !c->role || !c->description ||
        !c->vars || !c->argv || !c->task_root) {
        config_free(c);
        return NULL;
    }
    return c;
}

fn_err_t fn_create(fn_registry_t *reg, const cJSON *req, fn_config_t **out, char *msg)
{
    fn_err_t err = FN_ERR_NOMEM;
    const cJSON *jname = cJSON_GetObjectItemCaseSensitive(req, "FunctionName");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(req, "Code");
    const cJSON *zip = cJSON_GetObjectItemCaseSensitive(code, "ZipFile");
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(req, "Role");
    char name[FN_NAME_MAX + 1], qual[64];
    if (!cJSON_IsString(jname) ||
        fn_parse_ref(jname->valuestring, name, sizeof name, qual, sizeof qual) != 0 || *qual) {
        snprintf(msg, FN_MSG_MAX,
                 "1 validation error detected: Value '%s' at 'functionName' failed to satisfy "
                 "constraint: Member must satisfy regular expression pattern: "
                 "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
                 "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                 cJSON_IsString(jname) ? jname->valuestring : "");
        return FN_ERR_VALIDATION;
    }
    if (!cJSON_IsString(role)) {
        snprintf(msg, FN_MSG_MAX, "The role defined for the function cannot be assumed by Lambda.");
        return FN_ERR_INVALID;
    }
    if (!cJSON_IsString(zip)) {
        snprintf(msg, FN_MSG_MAX, "Please provide a source for function code.");
        return FN_ERR_INVALID;
    }
    fn_config_t *existing = fn_get(reg, name);
    if (existing) {
        fn_config_release(existing);
        snprintf(msg, FN_MSG_MAX, "Function already exist: %s", name);
        return FN_ERR_EXISTS;
    }
    fn_config_t *c = calloc(1, sizeof *c);
    if (!c) return FN_ERR_NOMEM;
    c->refs = 1;
    char arn[256];
    fn_arn(reg, name, arn, sizeof arn);
    c->name = strdup(name);
    c->arn = strdup(arn);
    c->runtime = strdup("provided.al2023");
    c->handler = strdup("");
    c->role = strdup("");
    c->description = strdup("");
    c->vars = calloc(1, sizeof *c->vars);
    c->memory_mb = 128; /* Lambda's defaults */
    c->timeout_s = 3;
    if (!c->name || !c->arn || !c->runtime || !c->handler || !c->role || !c->description ||
        !c->vars)
        goto fail;
    if ((err = apply_config(c, req, msg)) != FN_OK) goto fail;
    if ((err = unpack_code(reg, c, zip->valuestring, msg)) != FN_OK) goto fail;
    stamp(c);
    /* A racing create of the same name: the first one wins. */
    pthread_mutex_lock(&reg->lock);
    int taken = *find_locked(reg, name) != NULL;
    pthread_mutex_unlock(&reg->lock);
    if (taken) {
        snprintf(msg, FN_MSG_MAX, "Function already exist: %s", name);
        err = FN_ERR_EXISTS;
        goto fail;
    }
    fn_config_retain(c);
    install(reg, c, 0);
    *out = c;
    return FN_OK;
fail:
    config_free(c);
    return err;
}

static fn_err_t not_found(const fn_registry_t *reg, const char *name, char *msg)
{
    char arn[256];
    fn_arn(reg, name, arn, sizeof arn);
    snprintf(msg, FN_MSG_MAX, "Function not found: %s", arn);
    return FN_ERR_NOT_FOUND;
}

/* The code dir moves to the newest snapshot that uses it; the oldest
 * snapshot that owned it must not delete it. */
static void take_dir(fn_config_t *from, fn_config_t *to)
{
    to->owned_dir = from->owned_dir;
    from->owned_dir = NULL;
}

fn_err_t fn_update_config(fn_registry_t *reg, const char *name, const cJSON *req, fn_config_t **out,
                          char *msg)
{
    fn_config_t *old = fn_get(reg, name);
    if (!old) return not_found(reg, name, msg);
    fn_err_t err = FN_ERR_NOMEM;
    fn_config_t *c = config_copy(old);
    if (!c) goto out;
    if ((err = apply_config(c, req, msg)) != FN_OK) goto out;
    stamp(c);
    pthread_mutex_lock(&reg->lock);
    take_dir(old, c);
    pthread_mutex_unlock(&reg->lock);
    fn_config_retain(c);
    install(reg, c, 1);
    *out = c;
    c = NULL;
out:
    config_free(c);
    fn_config_release(old);
    return err;
}

fn_err_t fn_update_code(fn_registry_t *reg, const char *name, const cJSON *req, fn_config_t **out,
                        char *msg)
{
    fn_config_t *old = fn_get(reg, name);
    if (!old) return not_found(reg, name, msg);
    fn_err_t err = FN_ERR_NOMEM;
    fn_config_t *c = config_copy(old);
    const cJSON *zip = cJSON_GetObjectItemCaseSensitive(req, "ZipFile");
    if (!c) goto out;
    if (!cJSON_IsString(zip)) {
        snprintf(msg, FN_MSG_MAX, "Please provide a source for function code.");
        err = FN_ERR_INVALID;
        goto out;
    }
    if ((err = unpack_code(reg, c, zip->valuestring, msg)) != FN_OK) goto out;
    stamp(c);
    fn_config_retain(c);
    install(reg, c, 1);
    *out = c;
    c = NULL;
out:
    config_free(c);
    fn_config_release(old);
    return err;
}

fn_err_t fn_delete(fn_registry_t *reg, const char *name, char *msg)
{
    pthread_mutex_lock(&reg->lock);
    fn_entry_t **pp = find_locked(reg, name), *e = *pp;
    if (e) *pp = e->next;
    pthread_mutex_unlock(&reg->lock);
    if (!e) return not_found(reg, name, msg);
    __atomic_store_n(&e->cfg->retired, 1, __ATOMIC_RELEASE);
    if (reg->on_retire) reg->on_retire(reg->retire_ctx, name);
    fn_config_release(e->cfg);
    free(e);
    return FN_OK;
}

cJSON *fn_config_json(const fn_config_t *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "FunctionName", c->name);
    cJSON_AddStringToObject(o, "FunctionArn", c->arn);
    cJSON_AddStringToObject(o, "Runtime", c->runtime);
    cJSON_AddStringToObject(o, "Role", c->role);
    cJSON_AddStringToObject(o, "Handler", c->handler);
    cJSON_AddNumberToObject(o, "CodeSize", (double)c->code_size);
    cJSON_AddStringToObject(o, "Description", c->description);
    cJSON_AddNumberToObject(o, "Timeout", c->timeout_s);
    cJSON_AddNumberToObject(o, "MemorySize", c->memory_mb);
    cJSON_AddStringToObject(o, "LastModified", c->last_modified);
    cJSON_AddStringToObject(o, "CodeSha256", c->code_sha256);
    cJSON_AddStringToObject(o, "Version", "$LATEST");
    if (c->nvars) {
        cJSON *env = cJSON_AddObjectToObject(o, "Environment");
        cJSON *vars = cJSON_AddObjectToObject(env, "Variables");
        for (size_t i = 0; i < c->nvars; i++) {
            const char *eq = strchr(c->vars[i], '=');
            if (!eq) continue;
            char key[256];
            size_t kl = (size_t)(eq - c->vars[i]);
            if (kl >= sizeof key) continue;
            memcpy(key, c->vars[i], kl);
            key[kl] = '\0';
            cJSON_AddStringToObject(vars, key, eq + 1);
        }
    }
    cJSON *tracing = cJSON_AddObjectToObject(o, "TracingConfig");
    cJSON_AddStringToObject(tracing, "Mode", "PassThrough");
    cJSON_AddStringToObject(o, "RevisionId", c->revision_id);
    /* Changes apply at once here, so a function is always Active and its
     * last update Successful: `aws lambda wait function-updated` returns. */
    cJSON_AddStringToObject(o, "State", "Active");
    cJSON_AddStringToObject(o, "LastUpdateStatus", "Successful");
    cJSON_AddStringToObject(o, "PackageType", "Zip");
    cJSON *arch = cJSON_AddArrayToObject(o, "Architectures");
    cJSON_AddItemToArray(arch, cJSON_CreateString("x86_64"));
    cJSON *eph = cJSON_AddObjectToObject(o, "EphemeralStorage");
    cJSON_AddNumberToObject(eph, "Size", 512);
    cJSON *snap = cJSON_AddObjectToObject(o, "SnapStart");
    cJSON_AddStringToObject(snap, "ApplyOn", "None");
    cJSON_AddStringToObject(snap, "OptimizationStatus", "Off");
    cJSON *log = cJSON_AddObjectToObject(o, "LoggingConfig");
    cJSON_AddStringToObject(log, "LogFormat", "Text");
    char group[FN_NAME_MAX + 16];
    snprintf(group, sizeof group, "/aws/lambda/%s", c->name);
    cJSON_AddStringToObject(log, "LogGroup", group);
    return o;
}

cJSON *fn_list_json(fn_registry_t *reg)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON *arr = cJSON_AddArrayToObject(o, "Functions");
    pthread_mutex_lock(&reg->lock);
    for (fn_entry_t *e = reg->head; e; e = e->next) {
        cJSON *f = fn_config_json(e->cfg);
        if (f) cJSON_AddItemToArray(arr, f);
    }
    pthread_mutex_unlock(&reg->lock);
    return o;
}
