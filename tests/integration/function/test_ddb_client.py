"""The C DynamoDB client on the wire, through bench-function, against a
scripted DynamoDB endpoint: every request's SigV4 signature must equal
botocore's; 500s and throttling are retried (3 attempts), validation errors
are not; a bad x-amz-crc32 is retried and then reported; the endpoint being
down is a prompt ConnectionError."""
import json
import time
import unittest
import zlib

import fnharness as fh
import harness

GET_OK = (200, {"Item": {"pk": {"S": "bench"}, "sk": {"S": "item-0"}}}, {})


class DdbClientTest(unittest.TestCase):
    def setUp(self):
        self.api = fh.FakeRuntimeAPI()
        self.dyn = None
        self.fn = None

    def tearDown(self):
        if self.fn:
            self.fn.stop()
        if self.dyn:
            self.dyn.stop()
        self.api.stop()

    def start(self, script, extra_env=None):
        self.dyn = fh.ScriptedDynamo(script)
        env = dict(fh.CREDS)
        env["AWS_ENDPOINT_URL_DYNAMODB"] = self.dyn.url
        env.update(extra_env or {})
        self.fn = fh.Function([harness.binary("bench-function")], self.api, env)

    def invoke_get(self):
        kind, body, etype = self.api.invoke({"op": "get"})
        return kind, json.loads(body), etype

    def test_request_shape_and_signature(self):
        self.start([GET_OK])
        kind, resp, _ = self.invoke_get()
        self.assertEqual(kind, "response")
        self.assertEqual(json.loads(resp["body"])["items_count"], 1)
        self.assertEqual(len(self.dyn.requests), 1)
        hdrs, body = self.dyn.requests[0]
        self.assertEqual(hdrs["X-Amz-Target"], "DynamoDB_20120810.GetItem")
        self.assertEqual(hdrs["Content-Type"], "application/x-amz-json-1.0")
        self.assertEqual(hdrs["X-Amz-Security-Token"], fh.CREDS["AWS_SESSION_TOKEN"])
        self.assertNotIn("Expect", hdrs)
        self.assertEqual(json.loads(body)["Key"]["sk"], {"S": "item-0"})
        self.assertEqual(self.dyn.bad_signatures, [])

    def test_signatures_for_every_op(self):
        self.start([])
        for op in ["put", "get", "query", "batch_write", "delete", "update"]:
            kind, _, _ = self.api.invoke({"op": op})
            self.assertEqual(kind, "response", op)
        targets = [h["X-Amz-Target"].split(".")[1] for h, _ in self.dyn.requests]
        self.assertEqual(targets, ["PutItem", "GetItem", "Query", "BatchWriteItem",
                                   "DeleteItem", "UpdateItem"])
        self.assertEqual(self.dyn.bad_signatures, [])

    def test_500_then_success_is_retried(self):
        self.start([fh.internal_error(), fh.internal_error(), GET_OK])
        kind, resp, _ = self.invoke_get()
        self.assertEqual(kind, "response")
        body = json.loads(resp["body"])
        self.assertEqual(body["attempts"], 3)
        self.assertEqual(body["items_count"], 1)
        self.assertEqual(len(self.dyn.requests), 3)

    def test_throttling_then_success_is_retried(self):
        self.start([fh.throttled(), GET_OK])
        kind, resp, _ = self.invoke_get()
        self.assertEqual(kind, "response")
        self.assertEqual(json.loads(resp["body"])["attempts"], 2)

    def test_gives_up_after_three_attempts(self):
        self.start([fh.throttled()] * 5)
        kind, doc, etype = self.invoke_get()
        self.assertEqual(kind, "error")
        self.assertEqual(etype, "ProvisionedThroughputExceededException")
        self.assertIn("provisioned throughput", doc["errorMessage"])
        self.assertEqual(len(self.dyn.requests), 3)

    def test_max_attempts_from_environment(self):
        self.start([fh.internal_error()] * 5, {"AWS_MAX_ATTEMPTS": "1"})
        kind, doc, etype = self.invoke_get()
        self.assertEqual(kind, "error")
        self.assertEqual(etype, "InternalServerError")
        self.assertEqual(len(self.dyn.requests), 1)

    def test_validation_error_is_not_retried(self):
        self.start([(400, {"__type": "com.amazon.coral.validate#ValidationException",
                           "message": "One or more parameter values were invalid"}, {})])
        kind, doc, etype = self.invoke_get()
        self.assertEqual(kind, "error")
        self.assertEqual(etype, "ValidationException")
        self.assertEqual(doc["errorMessage"], "One or more parameter values were invalid")
        self.assertEqual(len(self.dyn.requests), 1)

    def wrong_crc(self):
        return (zlib.crc32(json.dumps(GET_OK[1]).encode()) + 1) & 0xFFFFFFFF

    def test_bad_crc32_is_retried(self):
        self.start([(200, GET_OK[1], {"crc32": self.wrong_crc()}), GET_OK])
        kind, resp, _ = self.invoke_get()
        self.assertEqual(kind, "response")
        self.assertEqual(json.loads(resp["body"])["attempts"], 2)

    def test_bad_crc32_every_time_is_reported(self):
        self.start([(200, GET_OK[1], {"crc32": self.wrong_crc()})] * 3)
        kind, doc, etype = self.invoke_get()
        self.assertEqual(kind, "error")
        self.assertEqual(etype, "CRC32CheckFailed")
        self.assertEqual(len(self.dyn.requests), 3)

    def test_endpoint_down_is_a_prompt_error(self):
        port = harness.free_port()
        env = dict(fh.CREDS)
        env["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{port}"
        self.fn = fh.Function([harness.binary("bench-function")], self.api, env)
        started = time.monotonic()
        kind, doc, etype = self.invoke_get()
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(kind, "error")
        self.assertEqual(etype, "ConnectionError")
        self.assertIn(f"127.0.0.1:{port}", doc["errorMessage"])

    def test_unanswered_request_ends_before_the_deadline(self):
        self.start([(200, GET_OK[1], {"delay": 6})] * 3)
        started = time.monotonic()
        kind, body, etype = self.api.invoke({"op": "get"}, deadline_s=2)
        took = time.monotonic() - started
        self.assertEqual(kind, "error")
        self.assertEqual(etype, "RequestTimeout")
        self.assertIn("deadline", json.loads(body)["errorMessage"])
        self.assertLess(took, 4)

    def test_connection_is_reused(self):
        self.start([])
        for _ in range(10):
            self.assertEqual(self.invoke_get()[0], "response")
        # One TCP connection: every request came from the same client port.
        self.assertEqual(len(self.dyn.requests), 10)
        self.assertEqual(len(self.dyn.clients), 1, self.dyn.clients)
        self.assertEqual(self.dyn.bad_signatures, [])

    def test_missing_region_is_an_init_error(self):
        env = dict(fh.CREDS)
        del env["AWS_REGION"]
        self.fn = fh.Function([harness.binary("bench-function")], self.api, env)
        self.fn.proc.wait(10)
        self.assertEqual(len(self.api.init_errors), 1)
        etype, doc = self.api.init_errors[0]
        self.assertEqual(etype, "Runtime.ConfigurationError")
        self.assertIn("AWS_REGION", doc["errorMessage"])


if __name__ == "__main__":
    unittest.main()
