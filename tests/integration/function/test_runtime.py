"""The C runtime client (function/runtime) driven through lambda-echo against
a fake Lambda Runtime API: headers to the handler, responses and errors
posted back, init errors, one kept-alive connection, no timeout on /next,
and a bounded exit when the Runtime API goes away."""
import json
import time
import unittest

import fnharness as fh
import harness


class RuntimeTest(unittest.TestCase):
    def setUp(self):
        self.api = fh.FakeRuntimeAPI()
        self.fn = None

    def tearDown(self):
        if self.fn:
            self.fn.stop()
        self.api.stop()

    def start(self, env=None):
        self.fn = fh.Function([harness.binary("lambda-echo")], self.api, env or {})

    def test_invocation_fields_reach_the_handler(self):
        self.start()
        kind, body, _ = self.api.invoke({"hello": "world"},
                                        headers={"Lambda-Runtime-Client-Context": "eyJ4IjoxfQ=="})
        self.assertEqual(kind, "response")
        r = json.loads(body)
        self.assertEqual(r["event"], {"hello": "world"})
        self.assertEqual(r["function_arn"], "arn:aws:lambda:us-east-1:123456789012:function:bench")
        self.assertEqual(r["trace_id"], "Root=1-5e1b4151-5ac6c58f5b5dbd6a")
        self.assertEqual(r["env_trace_id"], r["trace_id"])
        self.assertEqual(r["client_context"], "eyJ4IjoxfQ==")
        self.assertEqual(len(r["request_id"]), 36)
        # The fake deadline is 30 s after the event was queued.
        self.assertGreater(r["remaining_ms"], 25000)
        self.assertLessEqual(r["remaining_ms"], 30000)

    def test_each_invocation_gets_its_own_request_id(self):
        self.start()
        ids = set()
        for i in range(5):
            kind, body, _ = self.api.invoke({"i": i})
            self.assertEqual(kind, "response")
            r = json.loads(body)
            self.assertEqual(r["event"], {"i": i})
            self.assertNotIn("client_context", r)
            ids.add(r["request_id"])
        self.assertEqual(len(ids), 5)

    def test_handler_error_is_posted_as_function_error(self):
        self.start()
        kind, body, etype = self.api.invoke({"fail": "boom"})
        self.assertEqual(kind, "error")
        self.assertEqual(etype, "EchoError")
        doc = json.loads(body)
        self.assertEqual(doc["errorType"], "EchoError")
        self.assertEqual(doc["errorMessage"], "boom")
        self.assertEqual(doc["stackTrace"], [])
        # and the loop goes on
        kind, _, _ = self.api.invoke({"ok": True})
        self.assertEqual(kind, "response")

    def test_init_error_is_reported(self):
        self.start({"ECHO_INIT_FAIL": "no config"})
        self.fn.proc.wait(10)
        self.assertNotEqual(self.fn.proc.returncode, 0)
        self.assertEqual(len(self.api.init_errors), 1)
        etype, doc = self.api.init_errors[0]
        self.assertEqual(etype, "Runtime.EchoInitFailed")
        self.assertEqual(doc["errorMessage"], "no config")

    def test_one_connection_for_all_invocations(self):
        self.start()
        for i in range(20):
            self.assertEqual(self.api.invoke({"i": i})[0], "response")
        self.assertEqual(len(self.api.connections), 1, self.api.connections)

    def test_next_waits_without_timeout(self):
        self.start()
        kind, body, _ = self.api.invoke({"late": True}, delay=4)
        self.assertEqual(kind, "response")
        self.assertEqual(json.loads(body)["event"], {"late": True})

    def test_megabyte_event(self):
        self.start()
        event = {"blob": "y" * (1 << 20)}
        kind, body, _ = self.api.invoke(event)
        self.assertEqual(kind, "response")
        r = json.loads(body)
        self.assertEqual(r["event_bytes"], len(json.dumps(event)))
        self.assertEqual(r["event"], event)

    def test_oversized_event_fails_the_invocation(self):
        self.start()
        kind, body, etype = self.api.invoke({"blob": "z" * (7 << 20)})
        self.assertEqual(kind, "error")
        self.assertEqual(etype, "Runtime.PayloadTooLarge")
        # and the function keeps serving
        self.assertEqual(self.api.invoke({"after": 1})[0], "response")

    def test_exits_when_runtime_api_is_gone(self):
        self.start()
        self.assertEqual(self.api.invoke({"x": 1})[0], "response")
        self.api.stop()
        started = time.monotonic()
        self.fn.proc.wait(30)  # bounded retries: it gives up instead of spinning
        self.assertLess(time.monotonic() - started, 30)
        self.assertNotEqual(self.fn.proc.returncode, 0)
        self.api = fh.FakeRuntimeAPI()  # for tearDown

    def test_missing_runtime_api_variable(self):
        import subprocess
        p = subprocess.run([harness.binary("lambda-echo")], env={}, capture_output=True,
                           timeout=10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"AWS_LAMBDA_RUNTIME_API", p.stderr)


if __name__ == "__main__":
    unittest.main()
