/* legacy: the pre-expression parameters (Expected, QueryFilter, ScanFilter,
 * KeyConditions) translated into the trees the expression evaluator runs. */
#include "cond.h"
#include "value.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int nvalues; /* -1: one or more (IN) */
} operators[] = {
    {"EQ", 1},          {"NE", 1},       {"LE", 1},      {"LT", 1},       {"GE", 1},
    {"GT", 1},          {"NOT_NULL", 0}, {"NULL", 0},    {"CONTAINS", 1}, {"NOT_CONTAINS", 1},
    {"BEGINS_WITH", 1}, {"IN", -1},      {"BETWEEN", 2},
};

static ddb_code_t bad_count(const char *op, ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Invalid number of argument(s) for "
                    "the %s ComparisonOperator",
                    op);
}

static node_t *leaf_path(expr_t *e, const char *name)
{
    node_t *n = tree_alloc(e, sizeof *n);
    if (!n || !(n->path = tree_alloc(e, sizeof *n->path))) return NULL;
    n->kind = N_PATH;
    n->path->nsteps = 1;
    n->path->steps[0].name = name;
    return n;
}

static node_t *leaf_value(expr_t *e, const cJSON *v)
{
    node_t *n = tree_alloc(e, sizeof *n);
    if (!n) return NULL;
    n->kind = N_VALUE;
    n->value = v;
    return n;
}

static node_t *node2(expr_t *e, node_kind_t kind, node_t *a, node_t *b)
{
    node_t *n = tree_alloc(e, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    n->a = a;
    n->b = b;
    return n;
}

/* One condition: attr OP values. */
static ddb_code_t one_condition(expr_t *e, const char *attr, const char *op, const cJSON *values,
                                node_t **out, ddb_error_t *err)
{
    size_t i;
    for (i = 0; i < sizeof operators / sizeof *operators; i++)
        if (strcmp(op, operators[i].name) == 0) break;
    if (i == sizeof operators / sizeof *operators)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "1 validation error detected: Value '%.64s' at "
                        "'comparisonOperator' failed to satisfy constraint: Member must satisfy "
                        "enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, "
                        "NE, LE, BEGINS_WITH, GE, CONTAINS]",
                        op);
    int n = values ? cJSON_GetArraySize(values) : 0;
    if (operators[i].nvalues >= 0 ? n != operators[i].nvalues : n < 1) return bad_count(op, err);
    node_t *path = leaf_path(e, attr);
    node_t *v0 = n > 0 ? leaf_value(e, cJSON_GetArrayItem(values, 0)) : NULL;
    if (!path || (n > 0 && !v0)) return cond_nomem(err);
    node_t *r = NULL;
    if (i < 6) {
        r = node2(e, N_CMP, path, v0);
        if (r)
            r->op = (cmp_op_t)(i == 0   ? CMP_EQ
                               : i == 1 ? CMP_NE
                               : i == 2 ? CMP_LE
                               : i == 3 ? CMP_LT
                               : i == 4 ? CMP_GE
                                        : CMP_GT);
    } else if (!strcmp(op, "NOT_NULL")) {
        r = node2(e, N_EXISTS, path, NULL);
    } else if (!strcmp(op, "NULL")) {
        r = node2(e, N_NOT_EXISTS, path, NULL);
    } else if (!strcmp(op, "CONTAINS")) {
        r = node2(e, N_CONTAINS, path, v0);
    } else if (!strcmp(op, "NOT_CONTAINS")) {
        /* Absent attributes do not match, unlike NOT contains(). */
        node_t *c = node2(e, N_CONTAINS, path, v0);
        node_t *x = node2(e, N_EXISTS, path, NULL);
        node_t *nc = c ? node2(e, N_NOT, c, NULL) : NULL;
        r = nc && x ? node2(e, N_AND, x, nc) : NULL;
    } else if (!strcmp(op, "BEGINS_WITH")) {
        r = node2(e, N_BEGINS, path, v0);
    } else if (!strcmp(op, "BETWEEN")) {
        r = node2(e, N_BETWEEN, path, v0);
        if (r && !(r->c = leaf_value(e, cJSON_GetArrayItem(values, 1)))) r = NULL;
    } else { /* IN */
        r = node2(e, N_IN, path, NULL);
        if (r && (r->list = tree_alloc(e, sizeof *r->list * (size_t)n))) {
            const cJSON *v;
            cJSON_ArrayForEach(v, values)
            {
                if (!(r->list[r->nlist++] = leaf_value(e, v))) return cond_nomem(err);
            }
        } else {
            r = NULL;
        }
    }
    if (!r) return cond_nomem(err);
    *out = r;
    return DDB_OK;
}

/* Expected's own forms: {Value}, {Exists:false}, {Exists:true, Value}. */
static ddb_code_t expected_condition(expr_t *e, const cJSON *spec, node_t **out, ddb_error_t *err)
{
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(spec, "ComparisonOperator");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(spec, "AttributeValueList");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(spec, "Value");
    const cJSON *exists = cJSON_GetObjectItemCaseSensitive(spec, "Exists");
    if (cJSON_IsString(op)) {
        if (value || exists)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Value or Exists cannot be "
                            "used with ComparisonOperator");
        return one_condition(e, spec->string, op->valuestring, list, out, err);
    }
    if (cJSON_IsFalse(exists)) {
        if (value)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Value cannot be used when "
                            "Exists is false for Attribute: %.255s",
                            spec->string);
        node_t *p = leaf_path(e, spec->string);
        if (!p || !(*out = node2(e, N_NOT_EXISTS, p, NULL))) return cond_nomem(err);
        return DDB_OK;
    }
    if (!value)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Value must be provided when "
                        "Exists is true for Attribute: %.255s",
                        spec->string);
    node_t *p = leaf_path(e, spec->string), *v = leaf_value(e, value);
    if (!p || !v || !(*out = node2(e, N_CMP, p, v))) return cond_nomem(err);
    (*out)->op = CMP_EQ;
    return DDB_OK;
}

ddb_code_t expr_legacy_condition(const cJSON *conds, int expected, const char *conditional_op,
                                 expr_t **out, ddb_error_t *err)
{
    expr_t *e = cond_new("");
    if (!e) return cond_nomem(err);
    int use_or = conditional_op && strcmp(conditional_op, "OR") == 0;
    ddb_code_t rc = DDB_OK;
    const cJSON *spec;
    cJSON_ArrayForEach(spec, conds)
    {
        node_t *n;
        if (!cJSON_IsObject(spec)) {
            rc = ddb_fail(err, DDB_E_SERIALIZATION, "Start of list found where not expected");
            goto fail;
        }
        if (expected)
            rc = expected_condition(e, spec, &n, err);
        else
            rc = one_condition(
                e, spec->string,
                cJSON_IsString(cJSON_GetObjectItemCaseSensitive(spec, "ComparisonOperator"))
                    ? cJSON_GetObjectItemCaseSensitive(spec, "ComparisonOperator")->valuestring
                    : "",
                cJSON_GetObjectItemCaseSensitive(spec, "AttributeValueList"), &n, err);
        if (rc) goto fail;
        if (!e->root) {
            e->root = n;
        } else if (!(e->root = node2(e, use_or ? N_OR : N_AND, e->root, n))) {
            rc = cond_nomem(err);
            goto fail;
        }
    }
    *out = e;
    return DDB_OK;
fail:
    expr_free(e);
    return rc;
}

ddb_code_t expr_keycond_from_legacy(const cJSON *conds, const char *hash, const char *range,
                                    expr_keycond_t **out, ddb_error_t *err)
{
    static const struct {
        const char *name;
        expr_op_t op;
        int nvalues;
    } ops[] = {{"EQ", EXPR_EQ, 1},
               {"LE", EXPR_LE, 1},
               {"LT", EXPR_LT, 1},
               {"GE", EXPR_GE, 1},
               {"GT", EXPR_GT, 1},
               {"BETWEEN", EXPR_BETWEEN, 2},
               {"BEGINS_WITH", EXPR_BEGINS_WITH, 1}};
    expr_keycond_t *k = calloc(1, sizeof *k);
    if (!k) return cond_nomem(err);
    ddb_code_t rc = DDB_OK;
    const cJSON *spec;
    cJSON_ArrayForEach(spec, conds)
    {
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(spec, "ComparisonOperator");
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(spec, "AttributeValueList");
        const char *opname = cJSON_IsString(op) ? op->valuestring : "";
        size_t i;
        for (i = 0; i < sizeof ops / sizeof *ops; i++)
            if (strcmp(opname, ops[i].name) == 0) break;
        if (i == sizeof ops / sizeof *ops) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "Attempted conditional constraint is not an indexable operation");
            goto fail;
        }
        if (cJSON_GetArraySize(list) != ops[i].nvalues) {
            rc = bad_count(opname, err);
            goto fail;
        }
        if (strcmp(spec->string, hash) == 0) {
            if (ops[i].op != EXPR_EQ) {
                rc = ddb_fail(err, DDB_E_VALIDATION, "Query key condition not supported");
                goto fail;
            }
            k->hash_name = hash;
            k->hash_value = cJSON_GetArrayItem(list, 0);
        } else if (range && strcmp(spec->string, range) == 0) {
            k->range_name = range;
            k->range_op = ops[i].op;
            k->range_value = cJSON_GetArrayItem(list, 0);
            k->range_value2 = cJSON_GetArrayItem(list, 1);
        } else {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          range ? "Query condition missed key schema element: %s"
                                : "Query key condition not supported",
                          range ? range : "");
            goto fail;
        }
    }
    if (!k->hash_name) {
        rc = ddb_fail(err, DDB_E_VALIDATION, "Query condition missed key schema element: %s", hash);
        goto fail;
    }
    *out = k;
    return DDB_OK;
fail:
    expr_keycond_free(k);
    return rc;
}
