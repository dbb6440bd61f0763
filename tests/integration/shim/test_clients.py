"""Real clients against dynamo-local-shim: boto3 and the aws CLI.

Seeds the seed article (../shared/seed/*.txt) as 25 items of 1 KB in a table
keyed pk S HASH, sk S RANGE, then drives get / put / query / batch-write /
delete, pagination across the 1 MB page limit, parallel Scan segments,
ListTables pagination and persistence across a restart with --db.

Targets: by default BIN_DIR/dynamo-local-shim on a free loopback port;
DDB_ENDPOINT=URL uses a running server instead (the restart test is then
skipped), with DDB_REFERENCE=dynamodb-local for DynamoDB Local's known
message differences.
"""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.request
import zlib

import harness

from ddbclients import ENDPOINT, REFERENCE, ShimTestCase, make_client, stop_checked  # noqa: E402

from botocore.exceptions import ClientError  # noqa: E402

ONE_MB = 1024 * 1024


def seed_items():
    """25 items of about 1 KB cut from the seed article, in sk order (from a
    text of our own where the article is not beside the checkout)."""
    paths = sorted(glob.glob(os.path.join(harness.SHARED_DIR, "seed", "*.txt")))
    if paths:
        with open(paths[0], encoding="utf-8") as f:
            text = f.read()
        name = os.path.splitext(os.path.basename(paths[0]))[0]
    else:
        text = "Lambda and DynamoDB, measured offline: cold start, first call, warm latency.\n"
        name = "local"
    title = text.strip().splitlines()[0]
    while len(text) < 25 * 1000:
        text += text
    pk = "article#" + name
    items = []
    for i in range(25):
        items.append({
            "pk": {"S": pk},
            "sk": {"S": f"chunk#{i:03d}"},
            "title": {"S": title},
            "body": {"S": text[i * 1000:(i + 1) * 1000]},
            "n": {"N": str(i)},
        })
    return items




def create_table(ddb, name, sort=True, sort_type="S"):
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sort:
        attrs.append({"AttributeName": "sk", "AttributeType": sort_type})
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
    out = ddb.create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=keys,
                           BillingMode="PAY_PER_REQUEST")
    return out["TableDescription"]


def batch_put(ddb, table, items):
    for i in range(0, len(items), 25):
        chunk = [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]
        out = ddb.batch_write_item(RequestItems={table: chunk})
        if out["UnprocessedItems"]:
            raise AssertionError(f"UnprocessedItems: {list(out['UnprocessedItems'])}")


def item_size(item):
    """DynamoDB's item size: names plus values (strings as UTF-8)."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        (kind, v), = value.items()
        size += len(v.encode()) if kind == "S" else len(v)
    return size




class ShimClients(ShimTestCase):
    def table(self, name, **kw):
        create_table(self.ddb, name, **kw)
        self.tables.append(name)
        self.ddb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        return name

    def assertClientError(self, ctx, code, message=None, local_message=None):
        err = ctx.exception.response["Error"]
        self.assertEqual(err["Code"], code)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        if message is not None:
            want = local_message if (REFERENCE == "dynamodb-local" and local_message) else message
            self.assertEqual(err["Message"], want)

    # -- the seed article -------------------------------------------------

    def test_seed_article_get_query_batch_delete(self):
        t = self.table("articles")
        items = seed_items()
        for it in items:
            self.assertLessEqual(item_size(it), 1200)
            self.assertGreaterEqual(item_size(it), 1000)
        batch_put(self.ddb, t, items)
        pk = items[0]["pk"]

        # GetItem returns each item exactly as written.
        for it in (items[0], items[13], items[24]):
            out = self.ddb.get_item(TableName=t, Key={"pk": pk, "sk": it["sk"]},
                                    ConsistentRead=True)
            self.assertEqual(out["Item"], it)

        # Query returns all 25 in sort-key order, forwards and backwards.
        out = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": pk})
        self.assertEqual(out["Items"], items)
        self.assertEqual((out["Count"], out["ScannedCount"]), (25, 25))
        self.assertNotIn("LastEvaluatedKey", out)
        out = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": pk}, ScanIndexForward=False)
        self.assertEqual(out["Items"], items[::-1])

        # Sort-key conditions and projection.
        out = self.ddb.query(TableName=t,
                             KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                             ExpressionAttributeValues={":p": pk, ":a": {"S": "chunk#005"},
                                                        ":b": {"S": "chunk#009"}},
                             ProjectionExpression="sk, #n", ExpressionAttributeNames={"#n": "n"})
        self.assertEqual(out["Items"], [{"sk": it["sk"], "n": it["n"]} for it in items[5:10]])
        out = self.ddb.query(TableName=t, Select="COUNT",
                             KeyConditionExpression="pk = :p AND begins_with(sk, :c)",
                             ExpressionAttributeValues={":p": pk, ":c": {"S": "chunk#01"}})
        self.assertEqual(out["Count"], 10)
        self.assertNotIn("Items", out)

        # Limit and ExclusiveStartKey, through the SDK's paginator.
        pages = list(self.ddb.get_paginator("query").paginate(
            TableName=t, KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": pk}, Limit=10))
        self.assertEqual([p["Count"] for p in pages], [10, 10, 5])
        self.assertEqual([it for p in pages for it in p["Items"]], items)
        self.assertEqual(pages[0]["LastEvaluatedKey"], {"pk": pk, "sk": items[9]["sk"]})

        # PutItem replaces, answering the old item with ALL_OLD.
        new = dict(items[3], body={"S": "replaced"})
        out = self.ddb.put_item(TableName=t, Item=new, ReturnValues="ALL_OLD")
        self.assertEqual(out["Attributes"], items[3])
        out = self.ddb.get_item(TableName=t, Key={"pk": pk, "sk": items[3]["sk"]},
                                ProjectionExpression="body")
        self.assertEqual(out["Item"], {"body": {"S": "replaced"}})

        # BatchWriteItem deletes and puts in one call; BatchGetItem reads back.
        out = self.ddb.batch_write_item(RequestItems={t: [
            {"DeleteRequest": {"Key": {"pk": pk, "sk": items[0]["sk"]}}},
            {"DeleteRequest": {"Key": {"pk": pk, "sk": items[1]["sk"]}}},
            {"PutRequest": {"Item": {"pk": pk, "sk": {"S": "note"}, "body": {"S": "x"}}}},
        ]})
        self.assertEqual(out["UnprocessedItems"], {})
        out = self.ddb.batch_get_item(RequestItems={t: {"Keys": [
            {"pk": pk, "sk": items[0]["sk"]}, {"pk": pk, "sk": items[2]["sk"]},
            {"pk": pk, "sk": {"S": "note"}}], "ProjectionExpression": "sk"}})
        self.assertEqual(out["UnprocessedKeys"], {})
        self.assertEqual(sorted(i["sk"]["S"] for i in out["Responses"][t]), ["chunk#002", "note"])

        # DeleteItem with ALL_OLD, then the item is gone.
        out = self.ddb.delete_item(TableName=t, Key={"pk": pk, "sk": items[24]["sk"]},
                                   ReturnValues="ALL_OLD")
        self.assertEqual(out["Attributes"], items[24])
        out = self.ddb.get_item(TableName=t, Key={"pk": pk, "sk": items[24]["sk"]})
        self.assertNotIn("Item", out)
        out = self.ddb.query(TableName=t, Select="COUNT", KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": pk})
        self.assertEqual(out["Count"], 25 - 2 + 1 - 1)

    def test_errors_reach_the_sdk(self):
        t = self.table("errtable")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.get_item(TableName="missing-table", Key={"pk": {"S": "a"}})
        self.assertClientError(ctx, "ResourceNotFoundException", "Requested resource not found",
                               "Cannot do operations on a non-existent table")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.get_item(TableName=t, Key={"pk": {"S": "a"}})
        self.assertClientError(ctx, "ValidationException",
                               "The provided key element does not match the schema",
                               "The number of conditions on the keys is invalid")
        with self.assertRaises(ClientError) as ctx:
            create_table(self.ddb, t)
        self.assertClientError(ctx, "ResourceInUseException", f"Table already exists: {t}",
                               "Cannot create preexisting table")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.query(TableName=t, KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": {"S": "a"}, ":q": {"S": "b"}})
        self.assertClientError(
            ctx, "ValidationException",
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:q}")

    # -- the 1 MB page limit -----------------------------------------------

    def test_pagination_across_1mb(self):
        t = self.table("bigitems")
        blob = "x" * (100 * 1024)
        items = [{"pk": {"S": "big"}, "sk": {"S": f"{i:04d}"}, "data": {"S": blob}}
                 for i in range(45)]
        for i in range(0, len(items), 5):  # 5 x 100 KB per batch: well under 16 MB
            batch_put(self.ddb, t, items[i:i + 5])
        total = sum(item_size(it) for it in items)
        self.assertGreater(total, 4 * ONE_MB)

        for op, kwargs in (("query", {"KeyConditionExpression": "pk = :p",
                                      "ExpressionAttributeValues": {":p": {"S": "big"}}}),
                           ("scan", {})):
            with self.subTest(op=op):
                pages = list(self.ddb.get_paginator(op).paginate(TableName=t, **kwargs))
                got = [it for p in pages for it in p["Items"]]
                self.assertEqual([it["sk"]["S"] for it in got], [it["sk"]["S"] for it in items])
                self.assertEqual(got, items)
                self.assertGreaterEqual(len(pages), 4, [p["Count"] for p in pages])
                for p in pages[:-1]:
                    self.assertIn("LastEvaluatedKey", p)
                    sizes = [item_size(it) for it in p["Items"]]
                    # DynamoDB (and Local) stop a page with the item that takes it
                    # past 1 MB: 11 items of 102415 bytes here.
                    self.assertLess(sum(sizes[:-1]), ONE_MB, [p["Count"] for p in pages])
                    self.assertGreaterEqual(sum(sizes), ONE_MB, [p["Count"] for p in pages])
                    self.assertEqual(p["LastEvaluatedKey"],
                                     {"pk": p["Items"][-1]["pk"], "sk": p["Items"][-1]["sk"]})
                self.assertNotIn("LastEvaluatedKey", pages[-1])

        # COUNT pages too: counts must add up to every item.
        pages = list(self.ddb.get_paginator("query").paginate(
            TableName=t, Select="COUNT", KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "big"}}))
        self.assertEqual(sum(p["Count"] for p in pages), len(items))

    # -- Scan segments -----------------------------------------------------

    def test_scan_segments(self):
        t = self.table("segments", sort=False)
        items = [{"pk": {"S": f"user#{i:03d}"}, "v": {"N": str(i)}} for i in range(100)]
        batch_put(self.ddb, t, items)
        want = sorted(it["pk"]["S"] for it in items)
        for total in (1, 3, 4):
            with self.subTest(total=total):
                seen = []
                for seg in range(total):
                    for page in self.ddb.get_paginator("scan").paginate(
                            TableName=t, Segment=seg, TotalSegments=total,
                            PaginationConfig={"PageSize": 7}):
                        self.assertLessEqual(page["Count"], 7)
                        seen.extend(it["pk"]["S"] for it in page["Items"])
                self.assertEqual(sorted(seen), want)  # every item exactly once
        out = self.ddb.scan(TableName=t, Select="COUNT")
        self.assertEqual((out["Count"], out["ScannedCount"]), (100, 100))

    # -- ListTables --------------------------------------------------------

    def test_list_tables_pagination(self):
        names = ["lt-c", "lt-a", "lt_b", "LT-Z", "lt.d"]
        for n in names:
            self.table(n, sort=False)
        pages = list(self.ddb.get_paginator("list_tables").paginate(
            PaginationConfig={"PageSize": 2}))
        got = [n for p in pages for n in p["TableNames"]]
        self.assertEqual(got, sorted(got))
        self.assertEqual([n for n in got if n.lower().startswith("lt")], sorted(names))
        for p in pages[:-1]:
            self.assertEqual(len(p["TableNames"]), 2)
            self.assertEqual(p["LastEvaluatedTableName"], p["TableNames"][-1])
        out = self.ddb.list_tables(ExclusiveStartTableName="lt-c", Limit=100)
        self.assertEqual([n for n in out["TableNames"] if n.lower().startswith("lt")],
                         ["lt.d", "lt_b"])

    # -- raw protocol through urllib: health line and crc32 ----------------

    def test_health_and_crc32(self):
        if REFERENCE == "dynamodb-local":
            self.skipTest("DynamoDB Local answers GET / with 400 and omits crc32 on errors")
        with urllib.request.urlopen(self.endpoint + "/", timeout=5) as r:
            self.assertEqual(r.status, 200)
            self.assertTrue(r.read().strip())
        req = urllib.request.Request(self.endpoint + "/", data=b"{not json", method="POST",
                                     headers={"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                              "Content-Type": "application/x-amz-json-1.0"})
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(req, timeout=5)
        body = ctx.exception.read()
        self.assertEqual(ctx.exception.code, 400)
        self.assertEqual(int(ctx.exception.headers["x-amz-crc32"]), zlib.crc32(body))
        self.assertTrue(ctx.exception.headers["x-amzn-RequestId"])
        self.assertEqual(json.loads(body)["__type"],
                         "com.amazon.coral.service#SerializationException")

    # -- bad input never crashes or hangs the server -------------------------

    def raw_post(self, body, target="DynamoDB_20120810.PutItem", timeout=30):
        req = urllib.request.Request(self.endpoint + "/", data=body, method="POST",
                                     headers={"X-Amz-Target": target,
                                              "Content-Type": "application/x-amz-json-1.0"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def test_hostile_input(self):
        t = self.table("hostile", sort=False)
        nested_item = ('{"TableName":"hostile","Item":{"pk":{"S":"a"},"x":' + '{"L":[' * 5000
                       + '{"S":"y"}' + ']}' * 5000 + '}}')
        bodies = {
            "deep JSON arrays": b"[" * 200000 + b"]" * 200000,
            "deep JSON objects": b'{"a":' * 100000 + b"1" + b"}" * 100000,
            "deep attribute nesting": nested_item.encode(),
            "invalid UTF-8": b'{"TableName":"hostile","Item":{"pk":{"S":"\xff\xfe"}}}',
            "truncated": b'{"TableName":"hostile","Item":{"pk":{"S":"a',
            "number as key type": b'{"TableName":"hostile","Item":{"pk":{"N":"1e999999999999"}}}',
            "huge number string": ('{"TableName":"hostile","Item":{"pk":{"S":"a"},"n":{"N":"'
                                   + "9" * 100000 + '"}}}').encode(),
            "5 MB string": ('{"TableName":"hostile","Item":{"pk":{"S":"a"},"s":{"S":"'
                            + "x" * (5 * ONE_MB) + '"}}}').encode(),
        }
        for what, body in bodies.items():
            with self.subTest(what):
                status, data = self.raw_post(body)
                if REFERENCE != "dynamodb-local":  # Local answers 500 to some of these
                    self.assertEqual(status, 400, data[:300])
                    self.assertIn(json.loads(data)["__type"].split("#")[0],
                                  ("com.amazon.coral.service", "com.amazon.coral.validate"))
                # The server is still there and the table unharmed.
                self.assertEqual(self.ddb.describe_table(TableName=t)["Table"]["TableName"], t)
        out = self.ddb.scan(TableName=t, Select="COUNT")
        self.assertEqual(out["Count"], 0, "no hostile request may have stored an item")

    # -- persistence -------------------------------------------------------

    def test_persistence_across_restart(self):
        if ENDPOINT:
            self.skipTest("needs to restart the server: only with the built shim")
        db = os.path.join(self.tmpdir, "persist.db")
        items = seed_items()
        srv = harness.Server(["dynamo-local-shim", "--port", "{port}", "--db", db])
        try:
            ddb = make_client(srv.url)
            create_table(ddb, "articles")
            batch_put(ddb, "articles", items)
            ddb.delete_item(TableName="articles", Key={"pk": items[0]["pk"], "sk": items[0]["sk"]})
            create_table(ddb, "gone", sort=False)
            ddb.delete_table(TableName="gone")
        finally:
            stop_checked(srv)
        self.assertEqual(srv.proc.returncode, 0, "the shim must exit cleanly on SIGTERM")
        srv = harness.Server(["dynamo-local-shim", "--port", "{port}", "--db", db])
        try:
            ddb = make_client(srv.url)
            self.assertEqual(ddb.list_tables()["TableNames"], ["articles"])
            desc = ddb.describe_table(TableName="articles")["Table"]
            self.assertEqual(desc["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                                 {"AttributeName": "sk", "KeyType": "RANGE"}])
            out = ddb.query(TableName="articles", KeyConditionExpression="pk = :p",
                            ExpressionAttributeValues={":p": items[0]["pk"]})
            self.assertEqual(out["Items"], items[1:])
        finally:
            stop_checked(srv)
        # A fresh in-memory server starts empty.
        srv = harness.Server(["dynamo-local-shim", "--port", "{port}"])
        try:
            self.assertEqual(make_client(srv.url).list_tables()["TableNames"], [])
        finally:
            stop_checked(srv)

    # -- the aws CLI -------------------------------------------------------

    def aws(self, *args, ok=True):
        cmd = ["aws", "dynamodb", *args, "--endpoint-url", self.endpoint, "--output", "json"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if ok and p.returncode != 0:
            self.fail(f"{' '.join(args[:1])} failed ({p.returncode}): {p.stderr}")
        if not ok:
            return p
        return json.loads(p.stdout) if p.stdout.strip() else {}

    def test_aws_cli(self):
        if shutil.which("aws") is None:
            self.skipTest("the aws CLI is not installed")
        items = seed_items()
        t = "cli-articles"
        out = self.aws("create-table", "--table-name", t,
                       "--attribute-definitions", "AttributeName=pk,AttributeType=S",
                       "AttributeName=sk,AttributeType=S",
                       "--key-schema", "AttributeName=pk,KeyType=HASH",
                       "AttributeName=sk,KeyType=RANGE",
                       "--billing-mode", "PAY_PER_REQUEST")
        self.tables.append(t)
        self.assertEqual(out["TableDescription"]["TableName"], t)
        self.aws("wait", "table-exists", "--table-name", t)

        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({t: [{"PutRequest": {"Item": it}} for it in items]}, f)
            batch_file = f.name
        try:
            out = self.aws("batch-write-item", "--request-items", "file://" + batch_file)
        finally:
            os.unlink(batch_file)
        self.assertEqual(out["UnprocessedItems"], {})

        key = {"pk": items[7]["pk"], "sk": items[7]["sk"]}
        out = self.aws("get-item", "--table-name", t, "--key", json.dumps(key),
                       "--consistent-read")
        self.assertEqual(out["Item"], items[7])

        self.aws("put-item", "--table-name", t, "--item",
                 json.dumps({**key, "body": {"S": "cli"}, "n": {"N": "007.50"}}))
        out = self.aws("get-item", "--table-name", t, "--key", json.dumps(key),
                       "--projection-expression", "body, n")
        self.assertEqual(out["Item"], {"body": {"S": "cli"}, "n": {"N": "7.5"}})

        out = self.aws("query", "--table-name", t, "--key-condition-expression",
                       "pk = :p AND sk >= :s", "--expression-attribute-values",
                       json.dumps({":p": items[0]["pk"], ":s": {"S": "chunk#020"}}))
        self.assertEqual([i["sk"]["S"] for i in out["Items"]],
                         [f"chunk#{i:03d}" for i in range(20, 25)])
        # The CLI follows LastEvaluatedKey itself: --page-size 4 still yields all 25.
        out = self.aws("query", "--table-name", t, "--key-condition-expression", "pk = :p",
                       "--expression-attribute-values", json.dumps({":p": items[0]["pk"]}),
                       "--page-size", "4")
        self.assertEqual(out["Count"], 25)
        self.assertEqual(len(out["Items"]), 25)

        out = self.aws("delete-item", "--table-name", t, "--key", json.dumps(key),
                       "--return-values", "ALL_OLD")
        self.assertEqual(out["Attributes"]["body"], {"S": "cli"})
        out = self.aws("scan", "--table-name", t, "--select", "COUNT")
        self.assertEqual(out["Count"], 24)

        names = self.aws("list-tables")["TableNames"]
        self.assertIn(t, names)
        out = self.aws("describe-table", "--table-name", t)
        self.assertEqual(out["Table"]["TableStatus"], "ACTIVE")

        p = self.aws("get-item", "--table-name", "no-such-table", "--key", json.dumps(key),
                     ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ResourceNotFoundException", p.stderr)

        out = self.aws("delete-table", "--table-name", t)
        self.tables.remove(t)
        self.assertEqual(out["TableDescription"]["TableName"], t)
        p = self.aws("describe-table", "--table-name", t, ok=False)
        self.assertIn("ResourceNotFoundException", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
