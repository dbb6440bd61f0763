/* Unit tests for the DynamoDB server's pure parts: numbers, key ordering,
 * attribute values, expressions, and request handling without sockets. */
#include "attr.h"
#include "expr/expr.h"
#include "keycodec.h"
#include "number.h"
#include "protocol.h"
#include "shim.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *norm(const char *in, char *buf)
{
    num_t n;
    if (num_parse(in, strlen(in), &n) != NUM_OK) return "ERROR";
    num_format(&n, buf);
    return buf;
}

/* The escaping every response goes through, against a byte-at-a-time
 * reference, on strings mixing plain bytes, UTF-8, quotes, backslashes and
 * control bytes at every offset of the eight-byte scan. */
static void json_escaping_matches_a_plain_loop(void)
{
    static const char alphabet[] = "ab\"\\\n\x01\x1f\x7f\xc3\xa9\xc0\x80 ";
    unsigned seed = 7;
    char s[80], want[600];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(round % 70);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly plain bytes, so the fast path runs */
            s[i] = (seed >> 16) % 4 ? 'x' : alphabet[(seed >> 8) % (sizeof alphabet - 1)];
        }
        size_t w = 0;
        want[w++] = '"';
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '"' || c == '\\') {
                want[w++] = '\\';
                want[w++] = (char)c;
            } else if (c == '\n') {
                want[w++] = '\\';
                want[w++] = 'n';
            } else if (c < 0x20) {
                w += (size_t)snprintf(want + w, 7, "\\u%04x", c);
            } else {
                want[w++] = (char)c;
            }
        }
        want[w++] = '"';
        want[w] = '\0';
        strbuf_t got;
        strbuf_init(&got, 1000);
        CHECK(strbuf_add_json_str(&got, s, n) == STRBUF_OK);
        int same = got.len == w && memcmp(got.data, want, w) == 0;
        strbuf_free(&got);
        CHECK(same);
    }
}

/* Item sizes count a held NUL (C0 80) as the one byte it stands for. */
static void text_size_counts_held_nuls_once(void)
{
    CHECK(attr_text_size("") == 0);
    CHECK(attr_text_size("abc") == 3);
    CHECK(attr_text_size("x" ATTR_NUL "y") == 3);
    CHECK(attr_text_size(ATTR_NUL ATTR_NUL) == 2);
    CHECK(attr_text_size("\xc3\xa9") == 2);
}

static void number_normalization(void)
{
    char b[NUM_MAX_TEXT + 1];
    CHECK_STR(norm("01.50", b), "1.5");
    CHECK_STR(norm("-0", b), "0");
    CHECK_STR(norm("0.00", b), "0");
    CHECK_STR(norm("1E+2", b), "100");
    CHECK_STR(norm("1.23e5", b), "123000");
    CHECK_STR(norm("-1.0e-3", b), "-0.001");
    CHECK_STR(norm("+5", b), "5");
    CHECK_STR(norm(".5", b), "0.5");
    CHECK_STR(norm("5.", b), "5");
    CHECK_STR(norm("12.3400E-2", b), "0.1234");
    CHECK_STR(norm("000999.000", b), "999");
    /* 38 significant digits with zeros around them are fine. */
    CHECK_STR(norm("00099999999999999999999999999999999999999000", b),
              "99999999999999999999999999999999999999000");
    char tiny[140] = "0.";
    for (int i = 0; i < 129; i++) strcat(tiny, "0");
    strcat(tiny, "1"); /* 1E-130, the smallest magnitude, in plain notation */
    CHECK_STR(norm("1E-130", b), tiny);
}

static num_err_t parse_err(const char *s)
{
    num_t n;
    return num_parse(s, strlen(s), &n);
}

static void number_errors(void)
{
    CHECK(parse_err("") == NUM_ERR_SYNTAX);
    CHECK(parse_err("abc") == NUM_ERR_SYNTAX);
    CHECK(parse_err("1e") == NUM_ERR_SYNTAX);
    CHECK(parse_err("+.") == NUM_ERR_SYNTAX);
    CHECK(parse_err("1.2.3") == NUM_ERR_SYNTAX);
    CHECK(parse_err(" 1") == NUM_ERR_SYNTAX);
    CHECK(parse_err("0x10") == NUM_ERR_SYNTAX);
    CHECK(parse_err("111111111111111111111111111111111111111") == NUM_ERR_PRECISION);
    CHECK(parse_err("1E+126") == NUM_ERR_OVERFLOW);
    CHECK(parse_err("9.9999999999999999999999999999999999999E+125") == NUM_OK);
    CHECK(parse_err("1E-131") == NUM_ERR_UNDERFLOW);
    CHECK(parse_err("0E+999999999") == NUM_OK); /* zero has no magnitude */
    CHECK(parse_err("1e99999999999999999999") == NUM_ERR_OVERFLOW);
}

/* Sorted ascending: num_cmp and the memcmp order of the encoding must agree. */
static const char *const ordered_numbers[] = {
    "-9.9999999999999999999999999999999999999E+125",
    "-1000",
    "-100",
    "-99.5",
    "-10",
    "-1.55",
    "-1.5",
    "-1",
    "-0.001",
    "-1E-130",
    "0",
    "1E-130",
    "0.001",
    "0.5",
    "1",
    "1.5",
    "1.55",
    "2",
    "10",
    "99.5",
    "100",
    "1000",
    "9.9999999999999999999999999999999999999E+125",
};

static void number_order(void)
{
    size_t n = sizeof ordered_numbers / sizeof *ordered_numbers;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            num_t a, b;
            CHECK(num_parse(ordered_numbers[i], strlen(ordered_numbers[i]), &a) == NUM_OK);
            CHECK(num_parse(ordered_numbers[j], strlen(ordered_numbers[j]), &b) == NUM_OK);
            int want = i < j ? -1 : i > j;
            int c = num_cmp(&a, &b);
            CHECK((c > 0) - (c < 0) == want);
            unsigned char ea[NUM_MAX_KEY], eb[NUM_MAX_KEY];
            strbuf_t ka, kb;
            strbuf_init(&ka, 256);
            strbuf_init(&kb, 256);
            keycodec_segment(&ka, ea, num_encode(&a, ea));
            keycodec_segment(&kb, eb, num_encode(&b, eb));
            size_t m = ka.len < kb.len ? ka.len : kb.len;
            int mc = memcmp(ka.data, kb.data, m);
            if (!mc) mc = ka.len < kb.len ? -1 : ka.len > kb.len;
            strbuf_free(&ka);
            strbuf_free(&kb);
            CHECK((mc > 0) - (mc < 0) == want);
        }
    }
    num_t x, y;
    CHECK(num_parse("1", 1, &x) == NUM_OK && num_parse("1.000", 5, &y) == NUM_OK);
    CHECK(num_cmp(&x, &y) == 0);
}

/* Encodes a composite key of two strings. */
static void string_key(strbuf_t *k, const char *pk, size_t pn, const char *sk, size_t sn)
{
    strbuf_init(k, 4096);
    keycodec_segment(k, (const unsigned char *)pk, pn);
    keycodec_segment(k, (const unsigned char *)sk, sn);
}

static int key_cmp(const strbuf_t *a, const strbuf_t *b)
{
    size_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->data, b->data, m);
    if (!c) c = a->len < b->len ? -1 : a->len > b->len;
    return (c > 0) - (c < 0);
}

static void key_order_strings(void)
{
    /* UTF-8 byte order within a partition, and partitions never interleave. */
    static const char *const sks[] = {"", "0", "B", "Z", "a", "a b", "aa", "b", "~", "\xc3\xa9"};
    size_t n = sizeof sks / sizeof *sks;
    for (size_t i = 0; i + 1 < n; i++) {
        strbuf_t a, b;
        string_key(&a, "p", 1, sks[i], strlen(sks[i]));
        string_key(&b, "p", 1, sks[i + 1], strlen(sks[i + 1]));
        int c = key_cmp(&a, &b);
        strbuf_free(&a);
        strbuf_free(&b);
        CHECK(c < 0);
    }
    strbuf_t a, b, c;
    string_key(&a, "a", 1, "\xff\xff", 2);
    string_key(&b, "ab", 2, "", 0);
    string_key(&c, "a\0", 2, "x", 1); /* a zero byte inside a value */
    CHECK(key_cmp(&a, &c) < 0);
    CHECK(key_cmp(&c, &b) < 0);
    strbuf_free(&a);
    strbuf_free(&b);
    strbuf_free(&c);
}

static void key_prefix_successor(void)
{
    strbuf_t k, lo, hi;
    strbuf_init(&lo, 64);
    strbuf_init(&hi, 64);
    keycodec_prefix(&lo, (const unsigned char *)"ab", 2);
    strbuf_add(&hi, lo.data, lo.len);
    CHECK(keycodec_successor(&hi));
    string_key(&k, "", 0, "abc", 3);
    /* "abc" sorts between the prefix and its successor; "ac" after. */
    strbuf_t seg;
    strbuf_init(&seg, 64);
    keycodec_segment(&seg, (const unsigned char *)"abc", 3);
    CHECK(key_cmp(&lo, &seg) < 0 && key_cmp(&seg, &hi) < 0);
    strbuf_reset(&seg);
    keycodec_segment(&seg, (const unsigned char *)"ac", 2);
    CHECK(key_cmp(&seg, &hi) >= 0);
    strbuf_t ff;
    strbuf_init(&ff, 8);
    strbuf_add(&ff, "\xff\xff", 2);
    CHECK(!keycodec_successor(&ff));
    strbuf_free(&ff);
    strbuf_free(&seg);
    strbuf_free(&k);
    strbuf_free(&lo);
    strbuf_free(&hi);
}

/* Canonical JSON of an item, or the error message. */
static const char *canon(const char *json, char *buf, size_t cap, size_t *size)
{
    cJSON *item = cJSON_Parse(json);
    strbuf_t out;
    strbuf_init(&out, 1 << 20);
    ddb_error_t err = {0};
    size_t sz = 0;
    if (attr_canon_item(item, &out, &sz, &err))
        snprintf(buf, cap, "%.*s", (int)cap - 1, err.msg);
    else
        snprintf(buf, cap, "%s", out.data);
    if (size) *size = sz;
    strbuf_free(&out);
    cJSON_Delete(item);
    return buf;
}

static void attr_codec(void)
{
    char b[1024];
    size_t size;
    CHECK_STR(canon("{\"n\":{\"N\":\"01.50\"},\"s\":{\"SS\":[\"x\",\"y\"]}}", b, sizeof b, &size),
              "{\"n\":{\"N\":\"1.5\"},\"s\":{\"SS\":[\"x\",\"y\"]}}");
    CHECK_STR(canon("{\"m\":{\"M\":{\"a\":{\"NULL\":true},\"l\":{\"L\":[{\"BOOL\":false}]}}}}", b,
                    sizeof b, NULL),
              "{\"m\":{\"M\":{\"a\":{\"NULL\":true},\"l\":{\"L\":[{\"BOOL\":false}]}}}}");
    CHECK_STR(canon("{\"e\":{\"S\":\"\"},\"q\":{\"S\":\"a\\\"b\\n\"}}", b, sizeof b, NULL),
              "{\"e\":{\"S\":\"\"},\"q\":{\"S\":\"a\\\"b\\n\"}}");
    CHECK_STR(canon("{\"s\":{\"SS\":[]}}", b, sizeof b, NULL),
              "One or more parameter values were invalid: An string set  may not be empty");
    CHECK_STR(canon("{\"s\":{\"NS\":[\"1\",\"1.0\"]}}", b, sizeof b, NULL),
              "Input collection contains duplicates");
    CHECK_STR(canon("{\"s\":{\"SS\":[\"a\",\"b\",\"a\"]}}", b, sizeof b, NULL),
              "One or more parameter values were invalid: Input collection [a, b, a] contains "
              "duplicates.");
    CHECK_STR(canon("{\"x\":{}}", b, sizeof b, NULL),
              "Supplied AttributeValue is empty, must contain exactly one of the supported "
              "datatypes");
    CHECK_STR(canon("{\"x\":{\"S\":\"a\",\"N\":\"1\"}}", b, sizeof b, NULL),
              "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
              "of the supported datatypes");
    CHECK_STR(canon("{\"x\":{\"S\":1}}", b, sizeof b, NULL),
              "NUMBER_VALUE can not be converted to a String");
    CHECK_STR(canon("{\"x\":{\"B\":\"!!!\"}}", b, sizeof b, NULL),
              "'!!!' can not be converted to a Blob: Base64 encoded length is expected a multiple "
              "of 4 bytes but found: 3");
    /* Sizes: names count; numbers take 1 byte per two digits plus one. */
    canon("{\"pk\":{\"S\":\"abc\"},\"n\":{\"N\":\"12345\"},\"b\":{\"B\":\"AQID\"}}", b, sizeof b,
          &size);
    CHECK(size == (2 + 3) + (1 + 4) + (1 + 3));
}

static void attr_nesting(void)
{
    /* 33 levels of maps: one over DynamoDB's 32. */
    char json[2048] = "{\"a\":";
    for (int i = 0; i < 33; i++) strcat(json, "{\"M\":{\"a\":");
    strcat(json, "{\"S\":\"x\"}");
    for (int i = 0; i < 33; i++) strcat(json, "}}");
    strcat(json, "}");
    char b[512];
    CHECK(strncmp(canon(json, b, sizeof b, NULL), "Nesting Levels have exceeded", 28) == 0);
}

static void keycond_parse(void)
{
    cJSON *vals = cJSON_Parse("{\":p\":{\"S\":\"x\"},\":a\":{\"S\":\"a\"},\":b\":{\"S\":\"b\"}}");
    cJSON *names = cJSON_Parse("{\"#s\":\"sk\"}");
    expr_refs_t refs = {.names = names, .values = vals};
    expr_keycond_t *k = NULL;
    ddb_error_t err = {0};
    CHECK(expr_keycond_parse("pk = :p AND #s BETWEEN :a AND :b", "pk", "sk", &refs, &k, &err) ==
          DDB_OK);
    CHECK(k->range_op == EXPR_BETWEEN && strcmp(k->range_name, "sk") == 0);
    CHECK(expr_refs_check_unused(&refs, &err) == DDB_OK);
    expr_keycond_free(k);

    memset(&refs, 0, sizeof refs);
    refs.values = vals;
    CHECK(expr_keycond_parse("(:a <= sk) and pk = :p", "pk", "sk", &refs, &k, &err) == DDB_OK);
    CHECK(k->range_op == EXPR_GE); /* flipped to put the key on the left */
    CHECK(expr_refs_check_unused(&refs, &err) == DDB_E_VALIDATION);
    CHECK_STR(err.msg, "Value provided in ExpressionAttributeValues unused in expressions: keys: "
                       "{:b}");
    expr_keycond_free(k);

    refs.nused = 0;
    CHECK(expr_keycond_parse("begins_with(sk, :a) AND pk = :p", "pk", "sk", &refs, &k, &err) ==
          DDB_OK);
    CHECK(k->range_op == EXPR_BEGINS_WITH && k->hash_value != NULL);
    expr_keycond_free(k);

    k = NULL;
    CHECK(expr_keycond_parse("pk = :nope", "pk", "sk", &refs, &k, &err) == DDB_E_VALIDATION);
    CHECK_STR(err.msg, "Invalid KeyConditionExpression: An expression attribute value used in "
                       "expression is not defined; attribute value: :nope");
    CHECK(expr_keycond_parse("pk = = :p", "pk", "sk", &refs, &k, &err) == DDB_E_VALIDATION);
    CHECK_STR(err.msg,
              "Invalid KeyConditionExpression: Syntax error; token: \"=\", near: \"= = :p\"");
    CHECK(expr_keycond_parse("sk = :a", "pk", "sk", &refs, &k, &err) == DDB_E_VALIDATION);
    CHECK_STR(err.msg, "Query condition missed key schema element: pk");
    CHECK(expr_keycond_parse("pk > :p", "pk", "sk", &refs, &k, &err) == DDB_E_VALIDATION);
    CHECK_STR(err.msg, "Query key condition not supported");
    CHECK(expr_keycond_parse("data = :p", "data", NULL, &refs, &k, &err) == DDB_E_VALIDATION);
    CHECK_STR(err.msg, "Invalid KeyConditionExpression: Attribute name is a reserved keyword; "
                       "reserved keyword: data");
    CHECK(expr_keycond_parse("", "pk", "sk", &refs, &k, &err) == DDB_E_VALIDATION);
    CHECK(k == NULL);
    cJSON_Delete(vals);
    cJSON_Delete(names);
}

static void projection(void)
{
    cJSON *names = cJSON_Parse("{\"#d\":\"data\"}");
    expr_refs_t refs = {.names = names};
    expr_projection_t *p = NULL;
    ddb_error_t err = {0};
    CHECK(expr_projection_parse("#d, m.x, l[1], absent.y", &refs, &p, &err) == DDB_OK);
    cJSON *item = cJSON_Parse("{\"data\":{\"S\":\"d\"},\"other\":{\"N\":\"1\"},"
                              "\"m\":{\"M\":{\"x\":{\"N\":\"2\"},\"z\":{\"N\":\"3\"}}},"
                              "\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]}}");
    cJSON *out = expr_projection_apply(p, item);
    char *text = cJSON_PrintUnformatted(out);
    /* Members come out in path order; list elements in their original order. */
    CHECK_STR(text, "{\"data\":{\"S\":\"d\"},\"l\":{\"L\":[{\"S\":\"b\"}]},"
                    "\"m\":{\"M\":{\"x\":{\"N\":\"2\"}}}}");
    free(text);
    cJSON_Delete(out);
    cJSON_Delete(item);
    expr_projection_free(p);
    p = NULL;
    CHECK(expr_projection_parse("m, m.x", &refs, &p, &err) == DDB_E_VALIDATION);
    CHECK(strstr(err.msg, "path one: [m], path two: [m, x]") != NULL);
    CHECK(expr_projection_parse("a,,b", &refs, &p, &err) == DDB_E_VALIDATION);
    CHECK_STR(err.msg, "Invalid ProjectionExpression: Syntax error; token: \",\", near: \",,b\"");
    cJSON_Delete(names);
}

/* attr_parse_some text: its result printed, or "NULL". */
static char *parse_some(const char *json, const char *const *names, int n)
{
    cJSON *o = attr_parse_some(json, strlen(json), names, n);
    char *text = o ? cJSON_PrintUnformatted(o) : strdup("NULL");
    cJSON_Delete(o);
    return text;
}

/* A filter reads the attributes it names and skips the rest unparsed, also
 * through escaped quotes and backslashes, nested values, numbers and names
 * written with escapes; anything but an object is refused. */
static void filter_reads_named_attributes(void)
{
    cJSON *names = cJSON_Parse("{\"#q\":\"a\\\"b\"}");
    cJSON *values = cJSON_Parse("{\":v\":{\"N\":\"10\"}}");
    expr_refs_t refs = {.names = names, .values = values};
    expr_t *e = NULL;
    ddb_error_t err = {0};
    CHECK(expr_condition_parse("seq < :v AND (attribute_exists(m.x) OR #q = :v OR seq > :v)",
                               "FilterExpression", &refs, &e, &err) == DDB_OK);
    const char *got[4];
    CHECK(expr_condition_names(e, got, 4) == 3);
    CHECK_STR(got[0], "seq");
    CHECK_STR(got[1], "m");
    CHECK_STR(got[2], "a\"b");
    CHECK(expr_condition_names(e, got, 2) == -1);

    const char *item = "{\"s\":{\"S\":\"x\\\"}\\\\\"},\"seq\":{\"N\":\"3\"},"
                       "\"l\":{\"L\":[{\"M\":{\"k\":{\"S\":\"]}\"}}},{\"N\":\"1\"}]},"
                       "\"a\\\"b\":{\"BOOL\":true},\"m\":{\"M\":{\"x\":{\"NULL\":true}}}}";
    char *text = parse_some(item, got, 3);
    CHECK_STR(text, "{\"seq\":{\"N\":\"3\"},\"a\\\"b\":{\"BOOL\":true},"
                    "\"m\":{\"M\":{\"x\":{\"NULL\":true}}}}");
    free(text);
    cJSON *some = attr_parse_some(item, strlen(item), got, 3);
    cJSON *whole = cJSON_Parse(item);
    CHECK(expr_condition_eval(e, some) == 1 && expr_condition_eval(e, whole) == 1);
    cJSON_Delete(some);
    cJSON_Delete(whole);
    const char *raw = "{ \"seq\" : 5 , \"x\" : [1, {\"y\": \"}\"}] }";
    text = parse_some(raw, got, 1);
    CHECK_STR(text, "{\"seq\":5}");
    free(text);
    const char *bad[] = {
        "[]",         "",          "{\"seq\":{\"N\":\"3\"}", "{\"seq\" {}}", "{\"s\":\"open}",
        "{\"a\":1,}", "{\"a\":{]}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        text = parse_some(bad[i], got, 1);
        CHECK_STR(text, "NULL");
        free(text);
    }
    text = parse_some("{\"x\":[1],\"seq\":5}", got, 1);
    CHECK_STR(text, "{\"seq\":5}");
    free(text);
    text = parse_some("{}", got, 1);
    CHECK_STR(text, "{}");
    free(text);
    expr_free(e);
    cJSON_Delete(names);
    cJSON_Delete(values);
}

/* The whole request path without sockets. */
static void handle_requests(void)
{
    shim_t *s = NULL;
    CHECK(shim_open(NULL, "us-east-1", &s) == SHIM_OK);
    strbuf_t out;
    strbuf_init(&out, 1 << 20);
    const char *lt = "{}";
    CHECK(shim_handle(s, "DynamoDB_20120810.ListTables", lt, strlen(lt), &out) == 200);
    CHECK_STR(out.data, "{\"TableNames\":[]}");
    char crc[16];
    protocol_crc32(out.data, out.len, crc);
    CHECK_STR(crc, "1315925753"); /* python3: zlib.crc32(b'{"TableNames":[]}') */

    CHECK(shim_handle(s, "DynamoDB_20120810.Nope", lt, strlen(lt), &out) == 400);
    CHECK_STR(out.data, "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"}");
    protocol_crc32(out.data, out.len, crc);
    CHECK_STR(crc, "1368724161");

    CHECK(shim_handle(s, "DynamoDB_20120810.ListTables", "{\"Limit\":", 9, &out) == 400);
    CHECK_STR(out.data, "{\"__type\":\"com.amazon.coral.service#SerializationException\"}");

    const char *ct = "{\"TableName\":\"tb1\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":"
                     "\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
                     "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                     "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],\"BillingMode\":"
                     "\"PAY_PER_REQUEST\"}";
    CHECK(shim_handle(s, "DynamoDB_20120810.CreateTable", ct, strlen(ct), &out) == 200);
    CHECK(shim_handle(s, "DynamoDB_20120810.CreateTable", ct, strlen(ct), &out) == 400);
    CHECK(strstr(out.data, "ResourceInUseException") != NULL);
    static const char *const sks[] = {"10", "-5", "2.5", "0", "-0.001"};
    for (int i = 0; i < 5; i++) {
        char put[256];
        snprintf(put, sizeof put,
                 "{\"TableName\":\"tb1\",\"Item\":{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"%s\"}}}",
                 sks[i]);
        CHECK(shim_handle(s, "DynamoDB_20120810.PutItem", put, strlen(put), &out) == 200);
    }
    const char *q = "{\"TableName\":\"tb1\",\"KeyConditionExpression\":\"pk = :p AND sk > :z\","
                    "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"},\":z\":{\"N\":\"-1\"}},"
                    "\"ScanIndexForward\":false,\"Limit\":3}";
    CHECK(shim_handle(s, "DynamoDB_20120810.Query", q, strlen(q), &out) == 200);
    CHECK_STR(
        out.data,
        "{\"Items\":[{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"10\"}},{\"pk\":{\"S\":\"p\"},"
        "\"sk\":{\"N\":\"2.5\"}},{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"0\"}}],\"Count\":3,"
        "\"ScannedCount\":3,\"LastEvaluatedKey\":{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"0\"}}}");
    strbuf_free(&out);
    shim_close(s);
}

int main(int argc, char **argv)
{
    static const test_case_t cases[] = {
        TEST_CASE(json_escaping_matches_a_plain_loop),
        TEST_CASE(text_size_counts_held_nuls_once),
        TEST_CASE(number_normalization),
        TEST_CASE(number_errors),
        TEST_CASE(number_order),
        TEST_CASE(key_order_strings),
        TEST_CASE(key_prefix_successor),
        TEST_CASE(attr_codec),
        TEST_CASE(attr_nesting),
        TEST_CASE(keycond_parse),
        TEST_CASE(projection),
        TEST_CASE(handle_requests),
        TEST_CASE(filter_reads_named_attributes),
    };
    return test_main(cases, sizeof cases / sizeof *cases, argc, argv);
}
