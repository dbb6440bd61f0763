"""A tiny DynamoDB stand-in for bench-ddb's tests: just the operations the
benchmark sends, on a dict, answered correctly -- or, with --fault, wrongly in
one chosen way, so the tests can show that a wrong server cannot look fast.

    python3 fake_ddb.py --port N [--fault F] [--pidfile FILE] [--slow-start S]

Faults: get-no-item, get-wrong-item, query-short, batch-unprocessed,
put-500, update-unconditional (ignores the condition), filter-ignored (the
filtered Query returns everything), no-transactions (answers
UnknownOperationException as dynalite does). Binds 127.0.0.1 only, HTTP/1.1
keep-alive."""
import argparse
import http.server
import json
import os
import time

FAULTS = ("none", "get-no-item", "get-wrong-item", "query-short", "batch-unprocessed", "put-500",
          "update-unconditional", "filter-ignored", "no-transactions")


def make_handler(fault, tables):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def log_message(self, *args):
            pass

        def answer(self, status, doc):
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self.answer(200, {"healthy": True})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            op = self.headers.get("X-Amz-Target", "").split(".")[-1]
            if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
                return self.answer(400, {"__type": "MissingAuthenticationTokenException"})
            getattr(self, "op_" + op, self.op_unknown)(body)

        def op_unknown(self, body):
            self.answer(400, {"__type": "com.amazon.coral.service#UnknownOperationException"})

        def op_CreateTable(self, body):
            tables[body["TableName"]] = {}
            self.answer(200, {"TableDescription": {"TableName": body["TableName"],
                                                   "TableStatus": "CREATING"}})

        def op_DescribeTable(self, body):
            self.answer(200, {"Table": {"TableName": body["TableName"], "TableStatus": "ACTIVE"}})

        def put(self, table, item):
            tables[table][(item["pk"]["S"], item["sk"]["S"])] = item

        def op_PutItem(self, body):
            if fault == "put-500":
                return self.answer(500, {"__type": "InternalServerError", "message": "boom"})
            self.put(body["TableName"], body["Item"])
            self.answer(200, {})

        def op_GetItem(self, body):
            key = (body["Key"]["pk"]["S"], body["Key"]["sk"]["S"])
            item = tables[body["TableName"]].get(key)
            if fault == "get-no-item":
                item = None
            elif fault == "get-wrong-item":
                item = next(iter(v for k, v in tables[body["TableName"]].items() if k != key))
            self.answer(200, {"Item": item} if item else {})

        def op_Query(self, body):
            values = body["ExpressionAttributeValues"]
            items = [v for (p, s), v in sorted(tables[body["TableName"]].items())
                     if p == values[":pk"]["S"]]
            if fault == "query-short" and "FilterExpression" not in body:
                items = items[:-1]
            scanned = len(items)
            if "FilterExpression" in body and fault != "filter-ignored":  # "#seq < :below"
                items = [i for i in items if int(i["seq"]["N"]) < int(values[":below"]["N"])]
            self.answer(200, {"Items": items, "Count": len(items), "ScannedCount": scanned})

        def update(self, u):
            """A conditional update ("attribute_exists(pk) AND ..."): False
            when the item is missing and the condition is honoured."""
            key = (u["Key"]["pk"]["S"], u["Key"]["sk"]["S"])
            item = tables[u["TableName"]].get(key)
            if item is None:
                return fault == "update-unconditional"  # answers 200, writes nothing
            item["updates"] = {"N": str(int(item.get("updates", {"N": "0"})["N"]) + 1)}
            tables[u["TableName"]][key] = item
            return True

        def op_UpdateItem(self, body):
            if not self.update(body):
                return self.answer(400, {"__type": "com.amazonaws.dynamodb.v20120810#"
                                                   "ConditionalCheckFailedException",
                                         "message": "The conditional request failed"})
            self.answer(200, {})

        def op_TransactWriteItems(self, body):
            if fault == "no-transactions":
                return self.op_unknown(body)
            acts = body["TransactItems"]
            checks = [a.get("ConditionCheck") or a.get("Update") for a in acts]
            if any(c and (c["Key"]["pk"]["S"], c["Key"]["sk"]["S"]) not in tables[c["TableName"]]
                   for c in checks):
                return self.answer(400, {"__type": "com.amazonaws.dynamodb.v20120810#"
                                                   "TransactionCanceledException",
                                         "message": "Transaction cancelled"})
            for a in acts:
                if "Put" in a:
                    self.put(a["Put"]["TableName"], a["Put"]["Item"])
                elif "Update" in a:
                    self.update(a["Update"])
            self.answer(200, {})

        def op_BatchWriteItem(self, body):
            unprocessed = {}
            for table, reqs in body["RequestItems"].items():
                for r in reqs:
                    self.put(table, r["PutRequest"]["Item"])
                if fault == "batch-unprocessed":
                    unprocessed[table] = reqs[-1:]
            self.answer(200, {"UnprocessedItems": unprocessed})

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--fault", choices=FAULTS, default="none")
    ap.add_argument("--pidfile")
    ap.add_argument("--slow-start", type=float, default=0.0)
    args = ap.parse_args()
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write(str(os.getpid()))
    time.sleep(args.slow_start)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port),
                                          make_handler(args.fault, {}))
    srv.serve_forever()


if __name__ == "__main__":
    main()
