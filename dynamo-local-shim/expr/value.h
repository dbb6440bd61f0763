/* value: operations on AttributeValues (cJSON objects such as {"N":"1"}) that
 * the expression evaluator needs: type, equality, ordering, size, contains,
 * begins_with, arithmetic and set algebra. Values are assumed checked (attr.c)
 * and canonical. Results that are new values are new cJSON trees the caller
 * owns. Internal to expr/. */
#ifndef EXPR_VALUE_H
#define EXPR_VALUE_H

#include "../number.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* The type name ("S", "N", "SS" ...) of an AttributeValue; NULL if none. */
const char *value_type(const cJSON *av);
/* The member holding the value itself (the "1" of {"N":"1"}). */
const cJSON *value_inner(const cJSON *av);
int value_is(const cJSON *av, const char *type);

/* Deep equality: numbers by value, sets in any order. */
int value_equal(const cJSON *a, const cJSON *b);
/* Ordering of two values of one scalar type (S, N or B): sets *cmp and
 * returns 1; returns 0 when the two cannot be ordered. */
int value_compare(const cJSON *a, const cJSON *b, int *cmp);
/* size(): string and binary length in bytes, element counts for sets, lists
 * and maps; -1 for types without a size. */
long value_size(const cJSON *av);
/* contains(a, b) and begins_with(a, b) as DynamoDB defines them. */
int value_contains(const cJSON *a, const cJSON *b);
int value_begins_with(const cJSON *a, const cJSON *b);

/* A new {"N": ...} AttributeValue. */
cJSON *value_number(const num_t *n);
/* Reads an N value. Returns 0 when av is not a valid number. */
int value_get_number(const cJSON *av, num_t *out);

/* Set algebra for ADD and DELETE on sets of one type: a new set, or NULL
 * for an empty result. */
cJSON *value_set_union(const cJSON *a, const cJSON *b);
cJSON *value_set_minus(const cJSON *a, const cJSON *b);

#endif
