"""The benchmark functions (C: bench-function; Python: function/python with
its bootstrap) against a DynamoDB-compatible server on loopback: every op
with the article's items, checked through boto3 afterwards; the plain event;
a bad op; a missing table; the server going away; warming during init (C).

The server is moto_server, or the project's dynamo-local-shim when the
environment says FUNCTION_BACKEND=shim (CMake registers one test per
backend; the shim one skips while the shim is not built)."""
import json
import os
import time
import unittest

import fnharness as fh
import harness

BACKEND = os.environ.get("FUNCTION_BACKEND", "moto")


def setUpModule():
    if BACKEND == "shim" and not os.access(os.path.join(harness.BIN_DIR, "dynamo-local-shim"),
                                           os.X_OK):
        raise unittest.SkipTest("dynamo-local-shim is not built")


PY_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                      "..", "function", "python"))


def c_function():
    return [harness.binary("bench-function")]


def python_function():
    return [os.path.join(PY_DIR, "bootstrap")]


class BenchCases:
    """The cases both functions must pass; subclasses say which function."""
    runtime = None
    command = None

    @classmethod
    def setUpClass(cls):
        cls.dyn = fh.DynamoBackend.with_table(BACKEND)
        cls.boto = cls.dyn.client()

    @classmethod
    def tearDownClass(cls):
        cls.dyn.stop()

    def setUp(self):
        self.api = fh.FakeRuntimeAPI()
        self.fn = None

    def tearDown(self):
        if self.fn:
            out = self.fn.stop()
            if "ERROR: AddressSanitizer" in out or "runtime error:" in out:
                self.fail("sanitizer report:\n" + out)
        self.api.stop()

    def start(self, **env):
        full = dict(fh.CREDS)
        full["AWS_ENDPOINT_URL_DYNAMODB"] = self.dyn.url
        full.update(env)
        if self.runtime == "python":
            full["_HANDLER"] = "lambda_function.lambda_handler"
            full["LAMBDA_TASK_ROOT"] = PY_DIR
            full["PYTHONDONTWRITEBYTECODE"] = "1"
        self.fn = fh.Function(type(self).command(), self.api, full)

    def call(self, op, event=None):
        kind, body, etype = self.api.invoke(event or fh.api_gateway_event(op))
        self.assertEqual(kind, "response", body)
        proxy = json.loads(body)
        self.assertEqual(proxy["headers"]["content-type"], "application/json")
        return proxy["statusCode"], json.loads(proxy["body"])

    def item(self, sk):
        return self.boto.get_item(TableName=fh.TABLE,
                                  Key={"pk": {"S": "bench"}, "sk": {"S": sk}}).get("Item")

    def check_body(self, body, op, count):
        self.assertEqual(body["operation"], op)
        self.assertEqual(body["runtime"], self.runtime)
        self.assertEqual(body["items_count"], count)
        self.assertEqual(body["attempts"], 1)
        for k in ("duration_ms", "sdk_call_ms", "serialize_ms"):
            self.assertGreaterEqual(body[k], 0, k)
        self.assertGreaterEqual(body["duration_ms"], body["sdk_call_ms"])
        if self.runtime == "c":
            self.assertAlmostEqual(body["sdk_call_ms"],
                                   body["serialize_ms"] + body["http_ms"] + body["parse_ms"],
                                   delta=0.01)

    def test_all_ops(self):
        self.start()
        before = int(time.time())
        status, body = self.call("batch_write")
        self.assertEqual(status, 200)
        self.check_body(body, "batch_write", 25)
        for i in (0, 13, 24):
            it = self.item(f"item-{i}")
            self.assertEqual(it["data"]["S"], "x" * 1000)
            self.assertGreaterEqual(int(it["timestamp"]["N"]), before)

        status, body = self.call("query")
        self.check_body(body, "query", 25)

        self.boto.delete_item(TableName=fh.TABLE, Key={"pk": {"S": "bench"}, "sk": {"S": "item-0"}})
        status, body = self.call("get")
        self.check_body(body, "get", 0)
        status, body = self.call("put")
        self.check_body(body, "put", 1)
        self.assertEqual(self.item("item-0")["data"]["S"], "x" * 1000)
        status, body = self.call("get")
        self.check_body(body, "get", 1)

        self.boto.update_item(TableName=fh.TABLE, Key={"pk": {"S": "bench"}, "sk": {"S": "item-0"}},
                              UpdateExpression="SET #t = :z",
                              ExpressionAttributeNames={"#t": "timestamp"},
                              ExpressionAttributeValues={":z": {"N": "0"}})
        status, body = self.call("update")
        self.check_body(body, "update", 1)
        self.assertGreaterEqual(int(self.item("item-0")["timestamp"]["N"]), before)

        status, body = self.call("delete")
        self.check_body(body, "delete", 1)
        self.assertIsNone(self.item("item-0"))
        status, body = self.call("query")
        self.check_body(body, "query", 24)

    def test_plain_event(self):
        self.start()
        status, body = self.call(None, {"op": "put"})
        self.assertEqual(status, 200)
        self.check_body(body, "put", 1)

    def test_bad_op(self):
        self.start()
        status, body = self.call("scan")
        self.assertEqual(status, 400)
        self.assertIn('unknown op "scan"', body["error"])
        self.assertEqual(body["valid_ops"],
                         ["put", "get", "query", "batch_write", "delete", "update"])

    def test_missing_table_is_a_function_error(self):
        self.start(TABLE_NAME="no-such-table")
        kind, body, etype = self.api.invoke(fh.api_gateway_event("get"))
        self.assertEqual(kind, "error")
        self.assertEqual(etype, "ResourceNotFoundException")
        self.assertEqual(json.loads(body)["errorType"], "ResourceNotFoundException")

    def test_warm_connection_during_init(self):
        if self.runtime != "c":
            self.skipTest("warming is a C function option")
        self.start(BENCH_WARM_CONNECTION="1")
        status, body = self.call("get")
        self.assertEqual(status, 200)
        out = self.fn.stop()
        self.fn = None
        self.assertIn("warm-up GetItem: ok", out)


class CBenchFunctionTest(BenchCases, unittest.TestCase):
    runtime = "c"
    command = staticmethod(c_function)


class PythonBenchFunctionTest(BenchCases, unittest.TestCase):
    runtime = "python"
    command = staticmethod(python_function)

    def test_bad_handler_is_an_init_error(self):
        for handler, etype in [("nomodule.handler", "Runtime.ImportModuleError"),
                               ("lambda_function.nothing", "Runtime.HandlerNotFound"),
                               ("nodot", "Runtime.MalformedHandlerName")]:
            api = fh.FakeRuntimeAPI()
            env = dict(fh.CREDS, _HANDLER=handler, LAMBDA_TASK_ROOT=PY_DIR,
                       AWS_ENDPOINT_URL_DYNAMODB=self.dyn.url, PYTHONDONTWRITEBYTECODE="1")
            fn = fh.Function(python_function(), api, env)
            try:
                fn.proc.wait(30)
                self.assertEqual(len(api.init_errors), 1, handler)
                self.assertEqual(api.init_errors[0][0], etype)
            finally:
                fn.stop()
                api.stop()


class ServerDownTest(unittest.TestCase):
    def test_server_stops_between_invocations(self):
        dyn = fh.DynamoBackend(BACKEND)
        api = fh.FakeRuntimeAPI()
        fn = None
        try:
            dyn.create_table()
            env = dict(fh.CREDS)
            env["AWS_ENDPOINT_URL_DYNAMODB"] = dyn.url
            fn = fh.Function([harness.binary("bench-function")], api, env)
            kind, _, _ = api.invoke({"op": "put"})
            self.assertEqual(kind, "response")
            dyn.stop()
            started = time.monotonic()
            kind, body, etype = api.invoke({"op": "get"})
            self.assertLess(time.monotonic() - started, 10)
            self.assertEqual(kind, "error")
            self.assertEqual(etype, "ConnectionError")
            self.assertIn("could not reach DynamoDB at " + dyn.url, json.loads(body)["errorMessage"])
        finally:
            if fn:
                fn.stop()
            dyn.stop()
            api.stop()


if __name__ == "__main__":
    unittest.main()
