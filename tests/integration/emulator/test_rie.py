"""lambda-emulator started like the Runtime Interface Emulator, driven over
raw HTTP with the C test runtime: the happy path, the REPORT line, the
environment a function sees, and every fault -- the emulator must keep
serving after each."""
import json
import os
import re
import socket
import time
import unittest

from emu import Emulator, decode_tail, init_duration, report_of, test_runtime

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class RieTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        env = dict(os.environ, EMULATOR_ONLY_SECRET="must-not-leak")
        cls.emu = Emulator(["--timeout", "2", "--memory-size", "128", "--max-concurrency", "3",
                            "--env", "GREETING=hello"], [test_runtime(), "my.handler"], env=env)

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def setUp(self):
        self.assertTrue(self.emu.alive())

    def tearDown(self):
        # Whatever the test did, the emulator still serves.
        status, _, body = self.emu.invoke({"still": "serving"})
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {"still": "serving"})

    def test_echo_and_headers(self):
        status, h, body = self.emu.invoke({"hello": "world"})
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {"hello": "world"})
        self.assertEqual(h["x-amz-executed-version"], "$LATEST")
        self.assertRegex(h["x-amzn-requestid"], UUID_RE)
        self.assertNotIn("x-amz-function-error", h)
        self.assertNotIn("x-amz-log-result", h)

    def test_empty_payload_is_an_empty_object(self):
        status, _, body = self.emu.invoke(b"")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {})

    def test_log_tail_has_the_function_output_and_report(self):
        status, h, body = self.emu.invoke({"action": "log", "text": "line from the function"},
                                          tail=True)
        self.assertEqual(status, 200)
        tail = decode_tail(h)
        rid = h["x-amzn-requestid"]
        self.assertIn(f"START RequestId: {rid} Version: $LATEST\n", tail)
        self.assertIn("line from the function\n", tail)
        self.assertIn("stderr: line from the function\n", tail)
        self.assertIn(f"END RequestId: {rid}\n", tail)
        rep = report_of(tail, rid)
        self.assertIsNotNone(rep, tail)
        self.assertEqual(rep["size"], "128")
        self.assertLessEqual(float(rep["duration"]), int(rep["billed"]))
        self.assertTrue(tail.endswith("\t\n"))
        # The same lines are in the log stream.
        self.assertIn(f"END RequestId: {rid}", self.emu.wait_log(f"REPORT RequestId: {rid}"))

    def test_tail_is_at_most_4k(self):
        text = "y" * 3000
        for _ in range(2):
            self.emu.invoke({"action": "log", "text": text})
        status, h, _ = self.emu.invoke({"action": "log", "text": text}, tail=True)
        self.assertEqual(status, 200)
        raw = decode_tail(h)
        self.assertLessEqual(len(raw.encode()), 4096)
        self.assertTrue(raw.rstrip("\n").split("\n")[-1].startswith("REPORT RequestId: "))

    def test_environment_is_lambdas_only(self):
        status, _, body = self.emu.invoke({"action": "env"})
        self.assertEqual(status, 200)
        env = json.loads(body)
        self.assertNotIn("EMULATOR_ONLY_SECRET", env)
        self.assertEqual(env["_HANDLER"], "my.handler")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "function")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "128")
        self.assertEqual(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/function")
        self.assertRegex(env["AWS_LAMBDA_LOG_STREAM_NAME"],
                         r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
        self.assertEqual(env["LAMBDA_TASK_ROOT"], os.getcwd())
        self.assertIn("AWS_REGION", env)
        self.assertIn("AWS_ACCESS_KEY_ID", env)
        self.assertIn("AWS_SECRET_ACCESS_KEY", env)
        self.assertEqual(env["GREETING"], "hello")

    def test_client_context_and_arn_reach_the_runtime(self):
        import base64
        ctx = {"custom": {"k": "v"}}
        h = {"X-Amz-Client-Context": base64.b64encode(json.dumps(ctx).encode()).decode()}
        status, _, body = self.emu.invoke({"action": "context"}, headers=h)
        self.assertEqual(status, 200)
        got = json.loads(body)
        self.assertEqual(json.loads(got["client_context"]), ctx)
        self.assertEqual(got["arn"], "arn:aws:lambda:us-east-1:000000000000:function:function")
        _, _, body = self.emu.invoke({"action": "context"}, function="function:$LATEST")
        self.assertEqual(json.loads(body)["arn"],
                         "arn:aws:lambda:us-east-1:000000000000:function:function:$LATEST")
        status, h, body = self.emu.invoke({}, headers={"X-Amz-Client-Context": "%%%"})
        self.assertEqual(status, 400)
        self.assertEqual(h["x-amzn-errortype"], "InvalidParameterValueException")

    def test_function_error(self):
        status, h, body = self.emu.invoke({"action": "error", "type": "MyError", "msg": "boom"},
                                          tail=True)
        self.assertEqual(status, 200)
        self.assertEqual(h["x-amz-function-error"], "Unhandled")
        doc = json.loads(body)
        self.assertEqual(doc["errorType"], "MyError")
        self.assertEqual(doc["errorMessage"], "boom")
        rep = report_of(decode_tail(h))
        self.assertIn("Status: error\tError Type: MyError\t", rep["rest"])

    def test_timeout(self):
        t0 = time.monotonic()
        status, h, body = self.emu.invoke({"action": "sleep", "ms": 5000}, tail=True)
        elapsed = time.monotonic() - t0
        self.assertEqual(status, 200)
        self.assertEqual(h["x-amz-function-error"], "Unhandled")
        doc = json.loads(body)
        rid = h["x-amzn-requestid"]
        self.assertEqual(doc["errorType"], "Sandbox.Timedout")
        self.assertEqual(doc["errorMessage"],
                         f"RequestId: {rid} Error: Task timed out after 2.00 seconds")
        self.assertLess(elapsed, 4.5)
        tail = decode_tail(h)
        self.assertRegex(tail, rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z {rid} "
                               r"Task timed out after 2.00 seconds\n")
        self.assertIn("Status: timeout", report_of(tail, rid)["rest"])
        # The environment was destroyed: the next invoke is a cold start.
        _, h, _ = self.emu.invoke({}, tail=True)
        self.assertIsNotNone(init_duration(report_of(decode_tail(h))))

    def test_crash_exit_status(self):
        status, h, body = self.emu.invoke({"action": "crash", "code": 3})
        self.assertEqual(status, 200)
        self.assertEqual(h["x-amz-function-error"], "Unhandled")
        doc = json.loads(body)
        rid = h["x-amzn-requestid"]
        self.assertEqual(doc, {"errorType": "Runtime.ExitError",
                               "errorMessage": f"RequestId: {rid} Error: Runtime exited with "
                                               "error: exit status 3"})

    def test_crash_signal(self):
        status, h, body = self.emu.invoke({"action": "crash", "signal": 11})
        self.assertEqual(h["x-amz-function-error"], "Unhandled")
        self.assertIn("Runtime exited with error: signal: segmentation fault",
                      json.loads(body)["errorMessage"])

    def test_out_of_memory(self):
        if not os.access("/sys/fs/cgroup/memory", os.W_OK):
            self.skipTest("no writable memory cgroup: memory is not limited")
        status, h, body = self.emu.invoke({"action": "allocate", "mb": 400}, tail=True)
        self.assertEqual(status, 200)
        self.assertEqual(h["x-amz-function-error"], "Unhandled")
        doc = json.loads(body)
        self.assertEqual(doc["errorType"], "Runtime.OutOfMemory")
        self.assertIn("Runtime exited with error: signal: killed", doc["errorMessage"])
        rep = report_of(decode_tail(h))
        self.assertEqual(rep["used"], "128")
        self.assertIn("Error Type: Runtime.OutOfMemory", rep["rest"])

    def test_max_memory_used_is_the_real_peak(self):
        _, h, _ = self.emu.invoke({}, tail=True)
        before = int(report_of(decode_tail(h))["used"])
        status, h, body = self.emu.invoke({"action": "allocate", "mb": 60}, tail=True)
        self.assertEqual(json.loads(body), {"allocated": 60})
        used = int(report_of(decode_tail(h))["used"])
        self.assertGreaterEqual(used, 60)
        self.assertLess(used, 128)
        self.assertLess(before, 60)

    def test_oversize_response(self):
        status, h, body = self.emu.invoke({"action": "oversize", "bytes": 6 * 1024 * 1024 + 200})
        self.assertEqual(status, 200)
        self.assertEqual(h["x-amz-function-error"], "Unhandled")
        self.assertEqual(json.loads(body), {
            "errorMessage": "Response payload size exceeded maximum allowed payload size "
                            "(6291556 bytes).",
            "errorType": "Function.ResponseSizeTooLarge"})
        # The runtime itself heard 413.
        self.emu.wait_log("oversize response status 413")

    def test_response_just_under_the_limit(self):
        n = 6291556 - 2  # the JSON string's quotes make it exactly the limit
        status, h, body = self.emu.invoke({"action": "oversize", "bytes": n})
        self.assertEqual(status, 200)
        self.assertNotIn("x-amz-function-error", h)
        self.assertEqual(len(body), 6291556)

    def test_request_too_large(self):
        big = b'"' + b"z" * (6 * 1024 * 1024) + b'"'
        status, h, body = self.emu.invoke(big)
        self.assertEqual(status, 413)
        self.assertEqual(h["x-amzn-errortype"], "RequestTooLargeException")
        self.assertEqual(json.loads(body)["message"],
                         "Request must be smaller than 6291456 bytes for the InvokeFunction "
                         "operation")

    def test_invalid_json_payload(self):
        status, h, _ = self.emu.invoke(b"{not json")
        self.assertEqual(status, 400)
        self.assertEqual(h["x-amzn-errortype"], "InvalidRequestContentException")

    def test_second_response_is_refused(self):
        status, _, body = self.emu.invoke({"action": "twice"})
        self.assertEqual(json.loads(body), {"first": True})
        self.emu.wait_log("second response status 400")

    def test_unknown_request_id(self):
        status, _, body = self.emu.invoke({"action": "stale"})
        self.assertEqual(json.loads(body), {"stale_status": 400})

    def test_unknown_function_and_qualifier(self):
        status, h, body = self.emu.invoke({}, function="nope")
        self.assertEqual(status, 404)
        self.assertEqual(h["x-amzn-errortype"], "ResourceNotFoundException")
        self.assertEqual(json.loads(body), {
            "Type": "User",
            "message": "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"})
        status, _, _ = self.emu.invoke({}, function="function:$LATEST")
        self.assertEqual(status, 200)
        status, _, _ = self.emu.request(
            "POST", "/2015-03-31/functions/function/invocations?Qualifier=7", b"{}")
        self.assertEqual(status, 404)

    def test_dry_run(self):
        status, h, body = self.emu.invoke({}, headers={"X-Amz-Invocation-Type": "DryRun"})
        self.assertEqual(status, 204)
        self.assertEqual(body, b"")

    def test_event_invocation_runs_later(self):
        status, h, body = self.emu.invoke({"action": "log", "text": "from an event"},
                                          headers={"X-Amz-Invocation-Type": "Event"})
        self.assertEqual(status, 202)
        self.assertEqual(body, b"")
        rid = h["x-amzn-requestid"]
        text = self.emu.wait_log(f"REPORT RequestId: {rid}")
        self.assertIn("from an event", text)

    def test_warm_reuse_and_frozen_between_invokes(self):
        _, _, body = self.emu.invoke({"action": "pid"})
        pid = json.loads(body)["pid"]
        _, h, body = self.emu.invoke({"action": "pid"}, tail=True)
        self.assertEqual(json.loads(body)["pid"], pid)  # the same environment
        self.assertIsNone(init_duration(report_of(decode_tail(h))))  # warm: no Init Duration
        time.sleep(0.05)
        with open(f"/proc/{pid}/cgroup") as f:
            groups = dict(line.strip().split(":", 2)[1:] for line in f)
        freezer = groups.get("freezer", "/")
        if freezer.startswith("/lambda-emulator/"):
            with open(f"/sys/fs/cgroup/freezer{freezer}/freezer.state") as f:
                self.assertEqual(f.read().strip(), "FROZEN")
            mem = groups.get("memory")
            with open(f"/sys/fs/cgroup/memory{mem}/memory.limit_in_bytes") as f:
                self.assertEqual(int(f.read()), 128 * 1024 * 1024)
            cpu = groups.get("cpu,cpuacct") or groups.get("cpu")
            if cpu and cpu.startswith("/lambda-emulator/"):
                base = "/sys/fs/cgroup/cpu" + cpu
                with open(base + "/cpu.cfs_quota_us") as f:
                    self.assertEqual(int(f.read()), 20000 * 128 // 1769)
                with open(base + "/cpu.cfs_period_us") as f:
                    self.assertEqual(int(f.read()), 20000)
        else:
            with open(f"/proc/{pid}/stat") as f:
                self.assertEqual(f.read().rsplit(")", 1)[1].split()[0], "T")

    def test_init_runs_with_two_vcpus_then_the_memory_share(self):
        _, _, body = self.emu.invoke({"action": "cpu_quota"})
        quota = json.loads(body)
        if quota["init"] == -1:
            self.skipTest("no writable cgroup v1 cpu controller here")
        self.assertEqual(quota, {"init": 40000, "now": 20000 * 128 // 1769})

    def test_concurrency_beyond_the_limit_is_throttled(self):
        import threading
        results = []

        def slow():
            results.append(self.emu.invoke({"action": "sleep", "ms": 1500})[0])

        threads = [threading.Thread(target=slow) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.7)  # all three busy (cold starts take milliseconds)
        status, h, body = self.emu.invoke({})
        for t in threads:
            t.join()
        self.assertEqual(results, [200, 200, 200])
        self.assertEqual(status, 429)
        self.assertEqual(h["x-amzn-errortype"], "TooManyRequestsException")
        self.assertEqual(json.loads(body), {"Reason": "ConcurrentInvocationLimitExceeded",
                                            "Type": "User", "message": "Rate Exceeded."})

    def test_client_disconnect_mid_invoke(self):
        s = socket.create_connection(("127.0.0.1", self.emu.port))
        body = json.dumps({"action": "sleep", "ms": 300}).encode()
        s.sendall(b"POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n"
                  b"Host: x\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        time.sleep(0.05)
        s.close()
        time.sleep(0.5)  # the invocation finishes with nobody to answer


class RieInitTest(unittest.TestCase):
    """Init-phase faults need their own emulator each."""

    def run_emu(self, init, args=()):
        # Only --env reaches the function: the emulator's own environment does not.
        return Emulator(["--timeout", "2", "--env", f"TEST_RUNTIME_INIT={init}"] + list(args),
                        [test_runtime()])

    def test_init_error(self):
        emu = self.run_emu("fail")
        try:
            status, h, body = emu.invoke({}, tail=True)
            self.assertEqual(status, 200)
            self.assertEqual(h["x-amz-function-error"], "Unhandled")
            self.assertEqual(json.loads(body), {"errorMessage": "init failed on purpose",
                                                "errorType": "Runtime.TestInitError"})
            tail = decode_tail(h)
            self.assertRegex(tail, r"INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\t"
                                   r"Status: error\tError Type: Runtime.TestInitError\n")
            rep = report_of(tail)
            self.assertIn("Error Type: Runtime.TestInitError", rep["rest"])
            self.assertIsNotNone(init_duration(rep))
            status, h, _ = emu.invoke({})  # tried again, cold, fails again
            self.assertEqual(h["x-amz-function-error"], "Unhandled")
            self.assertTrue(emu.alive())
        finally:
            emu.stop()

    def test_crash_during_init(self):
        emu = self.run_emu("crash")
        try:
            status, h, body = emu.invoke({})
            self.assertEqual(h["x-amz-function-error"], "Unhandled")
            doc = json.loads(body)
            self.assertEqual(doc["errorType"], "Runtime.ExitError")
            self.assertIn("Runtime exited with error: exit status 3", doc["errorMessage"])
            self.assertRegex(emu.wait_log("INIT_REPORT"),
                             r"INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\t"
                             r"Status: error\tError Type: Runtime.ExitError\n")
        finally:
            emu.stop()

    def test_init_duration_is_honest(self):
        emu = self.run_emu("sleep:300")
        try:
            _, h, _ = emu.invoke({}, tail=True)
            rep = report_of(decode_tail(h))
            init = init_duration(rep)
            self.assertGreaterEqual(init, 300.0)
            self.assertLess(init, 1500.0)
            # provided.* bills the init phase too.
            self.assertGreaterEqual(int(rep["billed"]), init + float(rep["duration"]))
        finally:
            emu.stop()

    def test_init_over_the_limit(self):
        emu = self.run_emu("sleep:5000", ["--init-timeout", "1"])
        try:
            t0 = time.monotonic()
            _, h, body = emu.invoke({})
            self.assertLess(time.monotonic() - t0, 3.5)
            self.assertEqual(h["x-amz-function-error"], "Unhandled")
            self.assertEqual(json.loads(body)["errorType"], "Sandbox.Timedout")
            self.assertRegex(emu.wait_log("INIT_REPORT"),
                             r"INIT_REPORT Init Duration: 1\d\d\d\.\d\d ms\tPhase: init\t"
                             r"Status: timeout\n")
        finally:
            emu.stop()

    def test_idle_reclaim(self):
        emu = self.run_emu("", ["--idle-timeout", "1"])
        try:
            _, _, body = emu.invoke({"action": "pid"})
            pid = json.loads(body)["pid"]
            deadline = time.monotonic() + 5
            while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(os.path.exists(f"/proc/{pid}"), "idle environment not reclaimed")
            _, h, _ = emu.invoke({}, tail=True)
            self.assertIsNotNone(init_duration(report_of(decode_tail(h))))
        finally:
            emu.stop()

    def test_without_cgroups_sigstop_and_rss(self):
        emu = self.run_emu("", ["--no-cgroups"])
        try:
            _, _, body = emu.invoke({"action": "pid"})
            pid = json.loads(body)["pid"]
            time.sleep(0.05)
            with open(f"/proc/{pid}/stat") as f:
                self.assertEqual(f.read().rsplit(")", 1)[1].split()[0], "T")  # stopped
            _, h, body = emu.invoke({"action": "allocate", "mb": 40}, tail=True)
            self.assertGreaterEqual(int(report_of(decode_tail(h))["used"]), 40)
        finally:
            emu.stop()


class QueueTest(unittest.TestCase):
    """At the concurrency limit, Event invocations wait; sync ones get 429."""

    def test_event_waits_for_capacity(self):
        import threading
        emu = Emulator(["--max-concurrency", "1", "--timeout", "5"], [test_runtime()])
        try:
            done = []
            t = threading.Thread(
                target=lambda: done.append(emu.invoke({"action": "sleep", "ms": 800})))
            t.start()
            time.sleep(0.3)
            status, h, _ = emu.invoke({"action": "log", "text": "queued event ran"},
                                      headers={"X-Amz-Invocation-Type": "Event"})
            self.assertEqual(status, 202)
            rid = h["x-amzn-requestid"]
            self.assertEqual(emu.invoke({})[0], 429)  # still at the limit
            self.assertNotIn(f"START RequestId: {rid}", emu.log())  # it waits
            t.join()
            self.assertEqual(done[0][0], 200)
            text = emu.wait_log(f"REPORT RequestId: {rid}")
            self.assertIn("queued event ran", text)
            # The event ran on the same, warm environment.
            self.assertIsNone(init_duration(report_of(text, rid)))
        finally:
            emu.stop()


class EventRetryTest(unittest.TestCase):
    """An Event invocation that fails runs twice more with the same request
    id, after the configured delays; one that succeeds runs once."""

    def test_failed_event_is_retried_with_the_same_id(self):
        emu = Emulator(["--timeout", "2", "--event-retry-delays", "0.3,0.6"], [test_runtime()])
        try:
            status, h, _ = emu.invoke({"action": "error", "type": "Boom"},
                                      headers={"X-Amz-Invocation-Type": "Event"})
            self.assertEqual(status, 202)
            rid = h["x-amzn-requestid"]
            ok_status, ok_h, _ = emu.invoke({"action": "echo"},
                                            headers={"X-Amz-Invocation-Type": "Event"})
            self.assertEqual(ok_status, 202)
            deadline = time.monotonic() + 10
            while emu.log().count(f"REPORT RequestId: {rid}") < 3:
                self.assertLess(time.monotonic(), deadline, emu.log()[-3000:])
                time.sleep(0.05)
            time.sleep(1.0)  # a fourth attempt would come 0.6 s after the third
            log = emu.log()
            self.assertEqual(log.count(f"START RequestId: {rid} "), 3, log[-3000:])
            self.assertEqual(log.count("Error Type: Boom"), 3)
            self.assertEqual(log.count(f"START RequestId: {ok_h['x-amzn-requestid']} "), 1)
        finally:
            emu.stop()

    def test_retry_waits_its_delay_and_retries_can_be_off(self):
        for retries, runs in ((1, 2), (0, 1)):
            emu = Emulator(["--timeout", "2", "--event-retries", str(retries),
                            "--event-retry-delays", "1,1"], [test_runtime()])
            try:
                _, h, _ = emu.invoke({"action": "crash", "code": 3},
                                     headers={"X-Amz-Invocation-Type": "Event"})
                rid = h["x-amzn-requestid"]
                emu.wait_log(f"REPORT RequestId: {rid}")
                failed_at = time.monotonic()
                if runs == 2:
                    deadline = failed_at + 10
                    while emu.log().count(f"START RequestId: {rid} ") < 2:
                        self.assertLess(time.monotonic(), deadline)
                        time.sleep(0.01)
                    # 1 s after the failure; we saw the failure a little late
                    self.assertGreaterEqual(time.monotonic() - failed_at, 0.5)
                time.sleep(1.5)
                log = emu.log()
                self.assertEqual(log.count(f"START RequestId: {rid} "), runs, log[-3000:])
            finally:
                emu.stop()

    def test_event_payload_limit_is_one_mb(self):
        emu = Emulator(["--timeout", "2"], [test_runtime()])
        try:
            big = b'"' + b"x" * (1048576 - 2) + b'"'
            status, _, _ = emu.request("POST", "/2015-03-31/functions/function/invocations",
                                       big, {"X-Amz-Invocation-Type": "Event"})
            self.assertEqual(status, 202)
            status, h, body = emu.request("POST", "/2015-03-31/functions/function/invocations",
                                          big[:-1] + b'x"', {"X-Amz-Invocation-Type": "Event"})
            self.assertEqual(status, 413)
            self.assertEqual(h["x-amzn-errortype"], "RequestEntityTooLargeException")
            self.assertEqual(json.loads(body)["message"],
                             "1048577 byte payload is too large for the Event invocation type "
                             "(limit 1048576 bytes)")
            # A synchronous invoke of the same size is fine (its limit is 6 MB).
            status, _, _ = emu.request("POST", "/2015-03-31/functions/function/invocations",
                                       big[:-1] + b'x"')
            self.assertEqual(status, 200)
        finally:
            emu.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
