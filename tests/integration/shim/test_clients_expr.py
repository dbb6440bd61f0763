"""Real clients against dynamo-local-shim for the expression language (issue 7).

boto3 and the aws CLI drive UpdateItem with every clause and ReturnValues,
conditional writes (ConditionalCheckFailedException, with and without the old
item), Query / Scan with filters (Count vs ScannedCount, Limit before the
filter, paginators), transactions (CancellationReasons in request order,
ClientRequestToken, 100 actions), secondary indexes (queries, sparse indexes,
UpdateTable adding and removing a GSI) and Time to Live.

The expected messages are the ones DynamoDB gives (see tests/cases/shim/*.json
for where each comes from). Targets: by default BIN_DIR/dynamo-local-shim on a
free loopback port; DDB_ENDPOINT=URL uses a running server instead, with
DDB_REFERENCE=dynamodb-local where DynamoDB Local knowingly differs from AWS.
SHIM_TTL_WAIT (seconds, default 30) bounds the wait for expired items to be
deleted in the background.
"""
import json
import os
import shutil
import subprocess
import time
import unittest

from ddbclients import REFERENCE, ShimTestCase  # noqa: E402

from botocore.exceptions import ClientError  # noqa: E402

TTL_WAIT = float(os.environ.get("SHIM_TTL_WAIT", "30"))
INDEX_WAIT = 120.0  # bound on a GSI becoming ACTIVE or going away


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}






class ExpressionClients(ShimTestCase):
    # -- helpers -----------------------------------------------------------

    def table(self, name, sort=True, gsis=None, lsis=None, extra_attrs=()):
        attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
        keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
        if sort:
            attrs.append({"AttributeName": "sk", "AttributeType": "S"})
            keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs += [{"AttributeName": a, "AttributeType": t} for a, t in extra_attrs]
        kw = {}
        if gsis:
            kw["GlobalSecondaryIndexes"] = gsis
        if lsis:
            kw["LocalSecondaryIndexes"] = lsis
        self.ddb.create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=keys,
                              BillingMode="PAY_PER_REQUEST", **kw)
        self.tables.append(name)
        self.ddb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        return name

    def assertClientError(self, ctx, code, message=None, local_message=None):
        err = ctx.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            want = local_message if (REFERENCE == "dynamodb-local" and local_message) else message
            self.assertEqual(err["Message"], want)

    def get(self, table, key):
        return self.ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def aws(self, *args, ok=True):
        cmd = ["aws", "dynamodb", *args, "--endpoint-url", self.endpoint, "--output", "json"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if ok and p.returncode != 0:
            self.fail(f"aws dynamodb {args[0]} failed ({p.returncode}): {p.stderr}")
        if not ok:
            return p
        return json.loads(p.stdout) if p.stdout.strip() else {}

    def wait_for(self, what, predicate, timeout):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail(f"{what}: not reached within {timeout:.0f} s")
            time.sleep(0.5)

    # -- UpdateItem ----------------------------------------------------------

    def test_update_every_clause(self):
        t = self.table("upd7-clauses", sort=False)
        key = {"pk": S("a")}
        self.ddb.put_item(TableName=t, Item={
            "pk": S("a"), "n": N(5), "s": S("x"), "l": {"L": [N(1), N(2)]},
            "m": {"M": {"b": {"L": [N(0), N(1), {"M": {"c": S("old")}}]}}},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}})
        out = self.ddb.update_item(
            TableName=t, Key=key,
            UpdateExpression="SET n = n + :one, d = :ten - n, z = if_not_exists(z, :zero), "
                             "l = list_append(:front, l), m.b[2].c = :new "
                             "REMOVE s, m.b[0] ADD #c :one, ss :more DELETE ns :gone",
            ExpressionAttributeNames={"#c": "counter"},
            ExpressionAttributeValues={":one": N(1), ":ten": N(10), ":zero": N(0),
                                       ":front": {"L": [S("f")]}, ":new": S("new"),
                                       ":more": {"SS": ["c"]}, ":gone": {"NS": ["1"]}},
            ReturnValues="ALL_NEW")
        want = {"pk": S("a"), "n": N(6), "d": N(5), "z": N(0), "counter": N(1),
                "l": {"L": [S("f"), N(1), N(2)]},
                "m": {"M": {"b": {"L": [N(1), {"M": {"c": S("new")}}]}}},
                "ns": {"NS": ["2"]}}
        attrs = out["Attributes"]
        self.assertEqual(sorted(attrs.pop("ss")["SS"]), ["a", "b", "c"])
        self.assertEqual(attrs, want)
        item = self.get(t, key)
        item.pop("ss")
        self.assertEqual(item, want)

    def test_update_return_values(self):
        t = self.table("upd7-rv", sort=False)
        key = {"pk": S("a")}
        base = {"pk": S("a"), "n": N(1), "keep": S("k")}
        cases = {
            "NONE": None,
            "ALL_OLD": base,
            "UPDATED_OLD": {"n": N(1)},
            "ALL_NEW": {"pk": S("a"), "n": N(2), "keep": S("k"), "y": S("new")},
            "UPDATED_NEW": {"n": N(2), "y": S("new")},
        }
        for rv, want in cases.items():
            with self.subTest(ReturnValues=rv):
                self.ddb.put_item(TableName=t, Item=base)
                out = self.ddb.update_item(TableName=t, Key=key,
                                           UpdateExpression="SET n = n + :one, y = :y",
                                           ExpressionAttributeValues={":one": N(1), ":y": S("new")},
                                           ReturnValues=rv)
                self.assertEqual(out.get("Attributes"), want)
        # A REMOVE-only update has nothing new to return.
        out = self.ddb.update_item(TableName=t, Key=key, UpdateExpression="REMOVE keep",
                                   ReturnValues="UPDATED_NEW")
        self.assertNotIn("Attributes", out)

    def test_update_upsert_and_nested_fragment(self):
        t = self.table("upd7-upsert", sort=False)
        # An update of a missing item creates it; ALL_OLD has nothing to show.
        out = self.ddb.update_item(TableName=t, Key={"pk": S("new")},
                                   UpdateExpression="SET m = :m ADD hits :one",
                                   ExpressionAttributeValues={":m": {"M": {"k": S("v"), "o": S("o")}},
                                                              ":one": N(1)},
                                   ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", out)
        self.assertEqual(self.get(t, {"pk": S("new")}),
                         {"pk": S("new"), "m": {"M": {"k": S("v"), "o": S("o")}}, "hits": N(1)})
        out = self.ddb.update_item(TableName=t, Key={"pk": S("new")}, UpdateExpression="SET m.k = :w",
                                   ExpressionAttributeValues={":w": S("w")}, ReturnValues="UPDATED_NEW")
        if REFERENCE == "dynamodb-local":
            # DynamoDB Local returns the whole top-level attribute.
            self.assertEqual(out["Attributes"], {"m": {"M": {"k": S("w"), "o": S("o")}}})
        else:
            # AWS returns only the updated fragment of a nested path.
            self.assertEqual(out["Attributes"], {"m": {"M": {"k": S("w")}}})

    def test_update_validation_messages(self):
        t = self.table("upd7-invalid", sort=False)
        key = {"pk": S("a")}
        self.ddb.put_item(TableName=t, Item={"pk": S("a"), "n": N(1), "s": S("x"),
                                             "m": {"M": {"b": N(1)}}})
        bad = [
            (dict(UpdateExpression="SET a = :v, a = :w",
                  ExpressionAttributeValues={":v": N(1), ":w": N(2)}),
             "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
             "rewrite one of these paths; path one: [a], path two: [a]"),
            (dict(UpdateExpression="SET m = :v REMOVE m.b", ExpressionAttributeValues={":v": N(1)}),
             "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
             "rewrite one of these paths; path one: [m], path two: [m, b]"),
            (dict(UpdateExpression="SET #nope = :v", ExpressionAttributeValues={":v": N(1)}),
             "Invalid UpdateExpression: An expression attribute name used in the document path is "
             "not defined; attribute name: #nope"),
            (dict(UpdateExpression="SET a = :nope", ExpressionAttributeValues={":v": N(1)}),
             "Invalid UpdateExpression: An expression attribute value used in expression is not "
             "defined; attribute value: :nope"),
            (dict(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": N(1), ":u": N(2)}),
             "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}"),
            (dict(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": N(1)},
                  ExpressionAttributeNames={"#u": "u"}),
             "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}"),
            (dict(UpdateExpression="SET name = :v", ExpressionAttributeValues={":v": N(1)}),
             "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name"),
            (dict(UpdateExpression="SET a = :v,", ExpressionAttributeValues={":v": N(1)}),
             'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","'),
            (dict(UpdateExpression="SET n = n + :s", ExpressionAttributeValues={":s": S("x")}),
             "Invalid UpdateExpression: Incorrect operand type for operator or function; "
             "operator or function: +, operand type: S"),
            (dict(UpdateExpression="SET n = s + :one", ExpressionAttributeValues={":one": N(1)}),
             "An operand in the update expression has an incorrect data type"),
            (dict(UpdateExpression="SET n = nothere + :one", ExpressionAttributeValues={":one": N(1)}),
             "The provided expression refers to an attribute that does not exist in the item"),
            (dict(UpdateExpression="ADD l :x", ExpressionAttributeValues={":x": {"L": []}}),
             "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
             "ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"),
            (dict(UpdateExpression="SET " + ",".join(f"a{i}=:v+:v" for i in range(301)),
                  ExpressionAttributeValues={":v": N(1)}),
             "Invalid UpdateExpression: The expression contains too many operators; operator count: 301"),
            (dict(UpdateExpression="", ExpressionAttributeValues={":v": N(1)}),
             "Invalid UpdateExpression: The expression can not be empty;"),
            (dict(UpdateExpression="SET a = :v SET b = :v", ExpressionAttributeValues={":v": N(1)}),
             'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
            (dict(UpdateExpression="SET pk = :v", ExpressionAttributeValues={":v": S("b")}),
             "One or more parameter values were invalid: Cannot update attribute pk. "
             "This attribute is part of the key"),
            (dict(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": N(1)},
                  AttributeUpdates={"b": {"Action": "PUT", "Value": N(1)}}),
             "Can not use both expression and non-expression parameters in the same request: "
             "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"),
        ]
        for kwargs, message in bad:
            with self.subTest(expr=kwargs["UpdateExpression"][:60]):
                with self.assertRaises(ClientError) as ctx:
                    self.ddb.update_item(TableName=t, Key=key, **kwargs)
                self.assertClientError(ctx, "ValidationException", message)
        # None of them changed the item.
        self.assertEqual(self.get(t, key), {"pk": S("a"), "n": N(1), "s": S("x"),
                                            "m": {"M": {"b": N(1)}}})

    # -- conditions ----------------------------------------------------------

    def test_conditional_writes(self):
        t = self.table("cond7", sort=False)
        item = {"pk": S("a"), "n": N(5), "s": S("hello"), "tags": {"SS": ["x", "y"]}}
        self.ddb.put_item(TableName=t, Item=item, ConditionExpression="attribute_not_exists(pk)")
        with self.assertRaises(self.ddb.exceptions.ConditionalCheckFailedException) as ctx:
            self.ddb.put_item(TableName=t, Item={"pk": S("a")},
                              ConditionExpression="attribute_not_exists(pk)")
        self.assertClientError(ctx, "ConditionalCheckFailedException", "The conditional request failed")
        self.assertNotIn("Item", ctx.exception.response)
        # The old item comes back with the error when asked for.
        with self.assertRaises(ClientError) as ctx:
            self.ddb.delete_item(TableName=t, Key={"pk": S("a")}, ConditionExpression="n > :six",
                                 ExpressionAttributeValues={":six": N(6)},
                                 ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertClientError(ctx, "ConditionalCheckFailedException")
        self.assertEqual(ctx.exception.response["Item"], item)
        # Every comparator and function, with precedence and parentheses.
        passing = [
            ("n = :five AND n <> :six AND n < :six AND n <= :five AND n > :four AND n >= :five", None),
            ("n BETWEEN :four AND :six AND n IN (:four, :five)", None),
            ("n = :six OR n = :five AND s = :hello", None),          # AND binds tighter than OR
            ("NOT n = :six AND (n = :six OR n = :five)", None),
            ("attribute_exists(s) AND attribute_not_exists(nothere) AND attribute_type(tags, :ss)", None),
            ("begins_with(s, :he) AND contains(s, :ell) AND contains(tags, :x) AND size(s) = :five", None),
            ("#n = :five", {"#n": "n"}),
        ]
        values = {":four": N(4), ":five": N(5), ":six": N(6), ":hello": S("hello"), ":ss": S("SS"),
                  ":he": S("he"), ":ell": S("ell"), ":x": S("x")}
        for expr, names in passing:
            with self.subTest(condition=expr):
                used = {k: v for k, v in values.items()
                        if k in expr.replace("(", " ").replace(")", " ").replace(",", " ").split()}
                kw = {"ExpressionAttributeNames": names} if names else {}
                self.ddb.put_item(TableName=t, Item=item, ConditionExpression=expr,
                                  ExpressionAttributeValues=used, **kw)
        failing = ["(n = :six OR n = :five) AND s = :x", "NOT (n = :five)", "size(tags) > :five",
                   "nothere = :five"]
        for expr in failing:
            with self.subTest(condition=expr):
                used = {k: v for k, v in values.items()
                        if k in expr.replace("(", " ").replace(")", " ").split()}
                with self.assertRaises(ClientError) as ctx:
                    self.ddb.put_item(TableName=t, Item={"pk": S("a"), "gone": S("?")},
                                      ConditionExpression=expr, ExpressionAttributeValues=used)
                self.assertClientError(ctx, "ConditionalCheckFailedException")
        self.assertEqual(self.get(t, {"pk": S("a")}), item)
        # An update with a failing condition changes nothing and returns the item.
        with self.assertRaises(ClientError) as ctx:
            self.ddb.update_item(TableName=t, Key={"pk": S("a")}, UpdateExpression="SET n = :six",
                                 ConditionExpression="n = :six",
                                 ExpressionAttributeValues={":six": N(6)},
                                 ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertEqual(ctx.exception.response["Item"], item)

    def test_condition_validation_messages(self):
        t = self.table("cond7-invalid", sort=False)
        self.ddb.put_item(TableName=t, Item={"pk": S("a"), "n": N(1)})
        bad = [
            ("n BETWEEN :b AND :a", {":a": N(1), ":b": N(2)},
             "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
             "than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound "
             "operand: AttributeValue: {N:1}"),
            (" AND ".join(["n = :v"] * 151), {":v": N(1)},
             "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"),
            ("attribute_type(n, :t)", {":t": S("XX")},
             "Invalid ConditionExpression: Invalid attribute type name found; type: XX, valid types: "
             "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}"),
            ("begins_with(n, :v)", {":v": N(1)},
             "Invalid ConditionExpression: Incorrect operand type for operator or function; operator "
             "or function: begins_with, operand type: N"),
            ("n = n", None,
             "Invalid ConditionExpression: The first operand must be distinct from the remaining "
             "operands for this operator or function; operator: =, first operand: [n]"),
            ("size(n)", None,
             "Invalid ConditionExpression: The function is not allowed to be used this way in an "
             "expression; function: size"),
            ("n = :v AND", {":v": N(1)}, 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
            ("((n = :v))", {":v": N(1)}, "Invalid ConditionExpression: The expression has redundant parentheses;"),
        ]
        for expr, values, message in bad:
            with self.subTest(condition=expr[:50]):
                kw = {"ExpressionAttributeValues": values} if values else {}
                with self.assertRaises(ClientError) as ctx:
                    self.ddb.put_item(TableName=t, Item={"pk": S("a")}, ConditionExpression=expr, **kw)
                self.assertClientError(ctx, "ValidationException", message)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.put_item(TableName=t, Item={"pk": S("a")}, ConditionExpression="n = :v",
                              ExpressionAttributeValues={":v": N(1)},
                              Expected={"n": {"Value": N(1)}})
        self.assertClientError(ctx, "ValidationException",
                               "Can not use both expression and non-expression parameters in the same "
                               "request: Non-expression parameters: {Expected} Expression parameters: "
                               "{ConditionExpression}")
        self.assertEqual(self.get(t, {"pk": S("a")}), {"pk": S("a"), "n": N(1)})

    # -- filters -------------------------------------------------------------

    def test_query_scan_filters(self):
        t = self.table("filter7")
        for i in range(30):
            item = {"pk": S("p"), "sk": S(f"{i:02d}"), "n": N(i)}
            if i % 3 == 0:
                item["third"] = {"BOOL": True}
            self.ddb.put_item(TableName=t, Item=item)
        q = dict(TableName=t, KeyConditionExpression="pk = :p", FilterExpression="attribute_exists(third)",
                 ExpressionAttributeValues={":p": S("p")})
        out = self.ddb.query(**q)
        self.assertEqual((out["Count"], out["ScannedCount"]), (10, 30))
        self.assertEqual([it["sk"]["S"] for it in out["Items"]], [f"{i:02d}" for i in range(0, 30, 3)])
        # Limit counts the items read, before the filter.
        out = self.ddb.query(Limit=5, **q)
        self.assertEqual((out["Count"], out["ScannedCount"]), (2, 5))
        self.assertEqual(out["LastEvaluatedKey"], {"pk": S("p"), "sk": S("04")})
        out = self.ddb.query(Limit=2, ExclusiveStartKey={"pk": S("p"), "sk": S("00")}, **q)
        self.assertEqual((out["Count"], out["ScannedCount"], out["Items"]), (0, 2, []))
        # A paginator walks every page; the sums are those of one unlimited call.
        pages = list(self.ddb.get_paginator("query").paginate(PaginationConfig={"PageSize": 7}, **q))
        self.assertEqual(len(pages), 5)
        self.assertEqual(sum(p["Count"] for p in pages), 10)
        self.assertEqual(sum(p["ScannedCount"] for p in pages), 30)
        out = self.ddb.query(Select="COUNT", **q)
        self.assertEqual((out["Count"], out["ScannedCount"]), (10, 30))
        self.assertNotIn("Items", out)
        # Scan filters may name key attributes; Query filters may not.
        out = self.ddb.scan(TableName=t, FilterExpression="sk >= :a AND n < :b",
                            ExpressionAttributeValues={":a": S("25"), ":b": N(28)})
        self.assertEqual((out["Count"], out["ScannedCount"]), (3, 30))
        with self.assertRaises(ClientError) as ctx:
            self.ddb.query(TableName=t, KeyConditionExpression="pk = :p", FilterExpression="sk = :s",
                           ExpressionAttributeValues={":p": S("p"), ":s": S("01")})
        self.assertClientError(ctx, "ValidationException",
                               "Filter Expression can only contain non-primary key attributes: "
                               "Primary key attribute: sk")
        # A filter on an attribute most items lack: <> is true for them.
        out = self.ddb.scan(TableName=t, FilterExpression="third <> :t",
                            ExpressionAttributeValues={":t": {"BOOL": True}}, Select="COUNT")
        self.assertEqual((out["Count"], out["ScannedCount"]), (20, 30))
        # Projection with nested paths on the read path.
        self.ddb.put_item(TableName=t, Item={"pk": S("q"), "sk": S("x"),
                                             "m": {"M": {"l": {"L": [N(0), {"M": {"c": S("c")}}]}}}})
        out = self.ddb.get_item(TableName=t, Key={"pk": S("q"), "sk": S("x")},
                                ProjectionExpression="m.l[1].c, #k", ExpressionAttributeNames={"#k": "sk"})
        self.assertEqual(out["Item"], {"sk": S("x"), "m": {"M": {"l": {"L": [{"M": {"c": S("c")}}]}}}})

    # -- transactions ----------------------------------------------------------

    def test_transactions(self):
        t = self.table("txn7", sort=False)
        for k, n in (("a", 1), ("b", 2), ("c", 3)):
            self.ddb.put_item(TableName=t, Item={"pk": S(k), "n": N(n)})
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": t, "Item": {"pk": S("d"), "n": N(4)}}},
            {"Update": {"TableName": t, "Key": {"pk": S("a")}, "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": N(1)}}},
            {"Delete": {"TableName": t, "Key": {"pk": S("b")}}},
            {"ConditionCheck": {"TableName": t, "Key": {"pk": S("c")}, "ConditionExpression": "n = :three",
                                "ExpressionAttributeValues": {":three": N(3)}}},
        ])
        self.assertEqual(self.get(t, {"pk": S("a")}), {"pk": S("a"), "n": N(2)})
        self.assertIsNone(self.get(t, {"pk": S("b")}))
        self.assertEqual(self.get(t, {"pk": S("d")}), {"pk": S("d"), "n": N(4)})

        # Two failing conditions: reasons in request order, nothing applied.
        with self.assertRaises(self.ddb.exceptions.TransactionCanceledException) as ctx:
            self.ddb.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": t, "Key": {"pk": S("c")},
                                    "ConditionExpression": "n = :nine",
                                    "ExpressionAttributeValues": {":nine": N(9)},
                                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
                {"Put": {"TableName": t, "Item": {"pk": S("e")}}},
                {"Put": {"TableName": t, "Item": {"pk": S("a")},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
        resp = ctx.exception.response
        self.assertEqual(resp["Error"]["Message"],
                         "Transaction cancelled, please refer cancellation reasons for specific "
                         "reasons [ConditionalCheckFailed, None, ConditionalCheckFailed]")
        reasons = resp["CancellationReasons"]
        self.assertEqual([r["Code"] for r in reasons], ["ConditionalCheckFailed", "None", "ConditionalCheckFailed"])
        self.assertEqual(reasons[0]["Item"], {"pk": S("c"), "n": N(3)})
        self.assertNotIn("Item", reasons[2])
        self.assertIsNone(self.get(t, {"pk": S("e")}))

        # The same item twice.
        with self.assertRaises(ClientError) as ctx:
            self.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": t, "Item": {"pk": S("a"), "n": N(7)}}},
                {"Delete": {"TableName": t, "Key": {"pk": S("a")}}}])
        self.assertClientError(ctx, "ValidationException",
                               "Transaction request cannot include multiple operations on one item")

        # ClientRequestToken: a retry is not applied again; another request with it is refused.
        token = "shim7-token-" + str(os.getpid())
        put = [{"Put": {"TableName": t, "Item": {"pk": S("tok"), "n": N(1)}}}]
        self.ddb.transact_write_items(TransactItems=put, ClientRequestToken=token)
        self.ddb.put_item(TableName=t, Item={"pk": S("tok"), "n": N(2)})
        self.ddb.transact_write_items(TransactItems=put, ClientRequestToken=token)
        self.assertEqual(self.get(t, {"pk": S("tok")}), {"pk": S("tok"), "n": N(2)})
        with self.assertRaises(ClientError) as ctx:
            self.ddb.transact_write_items(
                TransactItems=[{"Put": {"TableName": t, "Item": {"pk": S("tok"), "n": N(3)}}}],
                ClientRequestToken=token)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "IdempotentParameterMismatchException")

        # 100 actions at once, then TransactGetItems in order with a missing item.
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": t, "Item": {"pk": S(f"bulk{i:03d}"), "n": N(i)}}} for i in range(100)])
        out = self.ddb.scan(TableName=t, Select="COUNT", FilterExpression="begins_with(pk, :b)",
                            ExpressionAttributeValues={":b": S("bulk")})
        self.assertEqual(out["Count"], 100)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": t, "Item": {"pk": S(f"x{i}")}}} for i in range(101)])
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ValidationException")
        out = self.ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": t, "Key": {"pk": S("bulk042")}}},
            {"Get": {"TableName": t, "Key": {"pk": S("missing")}}},
            {"Get": {"TableName": t, "Key": {"pk": S("d")}, "ProjectionExpression": "n"}}])
        self.assertEqual(out["Responses"], [{"Item": {"pk": S("bulk042"), "n": N(42)}}, {},
                                            {"Item": {"n": N(4)}}])

    # -- secondary indexes -----------------------------------------------------

    def test_indexes(self):
        gsis = [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                     {"AttributeName": "gs", "KeyType": "RANGE"}],
                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}]
        lsis = [{"IndexName": "by_l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                     {"AttributeName": "l", "KeyType": "RANGE"}],
                 "Projection": {"ProjectionType": "KEYS_ONLY"}}]
        t = self.table("idx7", gsis=gsis, lsis=lsis,
                       extra_attrs=(("g", "S"), ("gs", "N"), ("l", "S")))
        desc = self.ddb.describe_table(TableName=t)["Table"]
        self.assertEqual([i["IndexName"] for i in desc["GlobalSecondaryIndexes"]], ["by_g"])
        self.assertEqual(desc["GlobalSecondaryIndexes"][0]["Projection"],
                         {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]})
        self.assertEqual([i["IndexName"] for i in desc["LocalSecondaryIndexes"]], ["by_l"])
        for i in range(6):
            item = {"pk": S(f"p{i % 2}"), "sk": S(f"s{i}"), "x": S(f"x{i}"), "y": S(f"y{i}")}
            if i != 5:                      # sparse: item 5 has no index keys
                item.update({"g": S("G"), "gs": N(10 - i), "l": S(f"l{5 - i}")})
            self.ddb.put_item(TableName=t, Item=item)
        out = self.ddb.query(TableName=t, IndexName="by_g", KeyConditionExpression="g = :g",
                             ExpressionAttributeValues={":g": S("G")})
        self.assertEqual([it["sk"]["S"] for it in out["Items"]], ["s4", "s3", "s2", "s1", "s0"])
        self.assertEqual(set(out["Items"][0]), {"pk", "sk", "g", "gs", "x"})
        out = self.ddb.scan(TableName=t, IndexName="by_g", Select="COUNT")
        self.assertEqual(out["Count"], 5)
        out = self.ddb.query(TableName=t, IndexName="by_l", KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": S("p0")}, ConsistentRead=True)
        self.assertEqual(out["Items"], [{"pk": S("p0"), "sk": S("s4"), "l": S("l1")},
                                        {"pk": S("p0"), "sk": S("s2"), "l": S("l3")},
                                        {"pk": S("p0"), "sk": S("s0"), "l": S("l5")}])
        with self.assertRaises(ClientError) as ctx:
            self.ddb.query(TableName=t, IndexName="by_g", KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": S("G")}, ConsistentRead=True)
        self.assertClientError(ctx, "ValidationException",
                               "Consistent reads are not supported on global secondary indexes")

        # UpdateTable adds a GSI, backfilled from the items already there ...
        self.ddb.update_table(TableName=t, AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
                              GlobalSecondaryIndexUpdates=[{"Create": {
                                  "IndexName": "by_y", "KeySchema": [{"AttributeName": "y", "KeyType": "HASH"}],
                                  "Projection": {"ProjectionType": "KEYS_ONLY"}}}])

        def status(name):
            for i in self.ddb.describe_table(TableName=t)["Table"].get("GlobalSecondaryIndexes", []):
                if i["IndexName"] == name:
                    return i["IndexStatus"]
            return None
        self.wait_for("index by_y ACTIVE", lambda: status("by_y") == "ACTIVE", INDEX_WAIT)
        out = self.ddb.query(TableName=t, IndexName="by_y", KeyConditionExpression="y = :y",
                             ExpressionAttributeValues={":y": S("y5")})
        self.assertEqual(out["Items"], [{"pk": S("p1"), "sk": S("s5"), "y": S("y5")}])
        # ... and deletes one; querying it then fails.
        self.ddb.update_table(TableName=t, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_g"}}])
        self.wait_for("index by_g gone", lambda: status("by_g") is None, INDEX_WAIT)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.query(TableName=t, IndexName="by_g", KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": S("G")})
        self.assertClientError(ctx, "ValidationException", "The table does not have the specified index: by_g")

    # -- time to live ------------------------------------------------------------

    def test_time_to_live(self):
        t = self.table("ttl7", sort=False)
        out = self.ddb.describe_time_to_live(TableName=t)
        self.assertEqual(out["TimeToLiveDescription"], {"TimeToLiveStatus": "DISABLED"})
        out = self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification={"Enabled": True,
                                                                                 "AttributeName": "exp"})
        self.assertEqual(out["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "exp"})
        out = self.ddb.describe_time_to_live(TableName=t)["TimeToLiveDescription"]
        self.assertIn(out["TimeToLiveStatus"], ("ENABLING", "ENABLED"))
        self.assertEqual(out["AttributeName"], "exp")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification={"Enabled": True,
                                                                               "AttributeName": "exp"})
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ValidationException")
        now = int(time.time())
        self.ddb.put_item(TableName=t, Item={"pk": S("expired"), "exp": N(now - 3600)})
        self.ddb.put_item(TableName=t, Item={"pk": S("live"), "exp": N(now + 86400)})
        self.ddb.put_item(TableName=t, Item={"pk": S("not-a-number"), "exp": S(str(now - 3600))})
        self.ddb.put_item(TableName=t, Item={"pk": S("no-ttl")})
        if REFERENCE == "dynamodb-local":
            return  # DynamoDB Local does not delete expired items
        # AWS deletes expired items in the background (and until then still returns them).
        self.wait_for("expired item deleted", lambda: self.get(t, {"pk": S("expired")}) is None, TTL_WAIT)
        keys = sorted(it["pk"]["S"] for it in self.ddb.scan(TableName=t, ConsistentRead=True)["Items"])
        self.assertEqual(keys, ["live", "no-ttl", "not-a-number"])

    # -- the aws CLI -------------------------------------------------------------

    def test_aws_cli(self):
        if shutil.which("aws") is None:
            self.skipTest("the aws CLI is not installed")
        t = "cli7"
        self.aws("create-table", "--table-name", t,
                 "--attribute-definitions", "AttributeName=pk,AttributeType=S",
                 "AttributeName=sk,AttributeType=S", "AttributeName=g,AttributeType=S",
                 "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
                 "--global-secondary-indexes",
                 json.dumps([{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "KEYS_ONLY"}}]),
                 "--billing-mode", "PAY_PER_REQUEST")
        self.tables.append(t)
        self.aws("wait", "table-exists", "--table-name", t)
        for i in range(12):
            item = {"pk": S("p"), "sk": S(f"{i:02d}"), "n": N(i)}
            if i % 4 == 0:
                item["g"] = S("G")
            self.aws("put-item", "--table-name", t, "--item", json.dumps(item))

        # update-item with every clause and ALL_NEW.
        out = self.aws("update-item", "--table-name", t, "--key", json.dumps({"pk": S("p"), "sk": S("00")}),
                       "--update-expression", "SET n = n + :one, l = list_append(if_not_exists(l, :e), :l) "
                                              "ADD tags :t REMOVE g",
                       "--expression-attribute-values",
                       json.dumps({":one": N(1), ":e": {"L": []}, ":l": {"L": [S("a")]},
                                   ":t": {"SS": ["t1"]}}),
                       "--return-values", "ALL_NEW")
        self.assertEqual(out["Attributes"], {"pk": S("p"), "sk": S("00"), "n": N(1),
                                             "l": {"L": [S("a")]}, "tags": {"SS": ["t1"]}})

        # A failed condition: a failing exit status and the exception named on stderr.
        p = self.aws("put-item", "--table-name", t, "--item", json.dumps({"pk": S("p"), "sk": S("01")}),
                     "--condition-expression", "attribute_not_exists(pk)", ok=False)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertIn("ConditionalCheckFailedException", p.stderr)
        self.assertIn("The conditional request failed", p.stderr)

        # One page of a filtered query: Count after the filter, ScannedCount before.
        out = self.aws("query", "--table-name", t, "--key-condition-expression", "pk = :p",
                       "--filter-expression", "n >= :six", "--limit", "8", "--no-paginate",
                       "--expression-attribute-values", json.dumps({":p": S("p"), ":six": N(6)}))
        self.assertEqual((out["Count"], out["ScannedCount"]), (2, 8))
        self.assertEqual(out["LastEvaluatedKey"], {"pk": S("p"), "sk": S("07")})
        # The CLI's own pagination sums the pages.
        out = self.aws("scan", "--table-name", t, "--filter-expression", "n >= :six",
                       "--expression-attribute-values", json.dumps({":six": N(6)}), "--page-size", "5")
        self.assertEqual((out["Count"], out["ScannedCount"]), (6, 12))
        out = self.aws("query", "--table-name", t, "--index-name", "by_g", "--key-condition-expression",
                       "g = :g", "--expression-attribute-values", json.dumps({":g": S("G")}))
        self.assertEqual(sorted(it["sk"]["S"] for it in out["Items"]), ["04", "08"])

        # A cancelled transaction names the reasons in order.
        items = [{"ConditionCheck": {"TableName": t, "Key": {"pk": S("p"), "sk": S("01")},
                                     "ConditionExpression": "n = :two",
                                     "ExpressionAttributeValues": {":two": N(2)}}},
                 {"Put": {"TableName": t, "Item": {"pk": S("p"), "sk": S("99")}}}]
        p = self.aws("transact-write-items", "--transact-items", json.dumps(items), ok=False)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertIn("TransactionCanceledException", p.stderr)
        self.assertIn("[ConditionalCheckFailed, None]", p.stderr)
        p = self.aws("get-item", "--table-name", t, "--key", json.dumps({"pk": S("p"), "sk": S("99")}))
        self.assertNotIn("Item", p)

        # A validation message reaches the CLI's stderr.
        p = self.aws("update-item", "--table-name", t, "--key", json.dumps({"pk": S("p"), "sk": S("01")}),
                     "--update-expression", "SET a = :v, a = :w",
                     "--expression-attribute-values", json.dumps({":v": N(1), ":w": N(2)}), ok=False)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertIn("Two document paths overlap with each other", p.stderr)

        # Time to Live from the CLI.
        out = self.aws("update-time-to-live", "--table-name", t,
                       "--time-to-live-specification", "Enabled=true,AttributeName=exp")
        self.assertEqual(out["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "exp"})
        out = self.aws("describe-time-to-live", "--table-name", t)
        self.assertEqual(out["TimeToLiveDescription"]["AttributeName"], "exp")


if __name__ == "__main__":
    unittest.main(verbosity=2)
