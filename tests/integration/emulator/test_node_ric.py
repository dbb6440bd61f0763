"""The official Node runtime client, aws-lambda-ric from npm, running a Node
handler on lambda-emulator: an independent client of the Runtime API.

setUpClass installs aws-lambda-ric into <build dir>/node_modules (a native
build of about two minutes, done once per build tree); the test is skipped,
saying why, when node/npm are missing or the install fails."""
import base64
import json
import os
import shutil
import subprocess
import unittest

import harness
from emu import Emulator, decode_tail, init_duration, report_of

HERE = os.path.dirname(os.path.abspath(__file__))


def install_ric():
    build_dir = os.path.dirname(os.path.abspath(harness.BIN_DIR))
    prefix = build_dir
    entry = os.path.join(prefix, "node_modules", "aws-lambda-ric", "bin", "index.mjs")
    if os.path.exists(entry):
        return entry, None
    if not shutil.which("node") or not shutil.which("npm"):
        return None, "node or npm is not installed"
    os.makedirs(prefix, exist_ok=True)
    log = os.path.join(prefix, "npm-install.log")
    try:
        with open(log, "w") as f:
            p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", prefix,
                                "aws-lambda-ric"], stdout=f, stderr=subprocess.STDOUT,
                               timeout=840)
    except subprocess.TimeoutExpired:
        return None, f"npm install aws-lambda-ric took too long; see {log}"
    if p.returncode != 0 or not os.path.exists(entry):
        return None, f"npm install aws-lambda-ric failed (exit {p.returncode}); see {log}"
    return entry, None


class NodeRicTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        entry, why = install_ric()
        if not entry:
            raise unittest.SkipTest(why)
        cwd = os.getcwd()
        os.chdir(os.path.join(HERE, "node_fn"))  # LAMBDA_TASK_ROOT: where index.mjs is
        try:
            cls.emu = Emulator(["--timeout", "10", "--memory-size", "512", "--no-cpu-limit"],
                               [shutil.which("node"), entry, "index.handler"])
        finally:
            os.chdir(cwd)

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def test_handler_runs_with_context(self):
        ctx = base64.b64encode(json.dumps({"custom": {"who": "test"}}).encode()).decode()
        status, h, body = self.emu.invoke({"hello": "node"}, tail=True,
                                          headers={"X-Amz-Client-Context": ctx})
        self.assertEqual(status, 200, body)
        self.assertNotIn("x-amz-function-error", h)
        doc = json.loads(body)
        self.assertEqual(doc["echo"], {"hello": "node"})
        self.assertEqual(doc["requestId"], h["x-amzn-requestid"])
        self.assertEqual(doc["functionName"], "function")
        self.assertEqual(str(doc["memoryLimitInMB"]), "512")
        self.assertEqual(doc["invokedFunctionArn"],
                         "arn:aws:lambda:us-east-1:000000000000:function:function")
        self.assertGreater(doc["remainingMs"], 8000)
        self.assertLessEqual(doc["remainingMs"], 10000)
        self.assertEqual(doc["clientContext"]["custom"], {"who": "test"})
        tail = decode_tail(h)
        self.assertIn('node handler got {"hello":"node"}', tail)
        self.assertIsNotNone(report_of(tail, h["x-amzn-requestid"]))

    def test_handler_error_reaches_the_caller(self):
        status, h, body = self.emu.invoke({"fail": True}, tail=True)
        self.assertEqual(status, 200)
        self.assertEqual(h["x-amz-function-error"], "Unhandled")
        doc = json.loads(body)
        self.assertEqual(doc["errorType"], "TypeError")
        self.assertEqual(doc["errorMessage"], "failing on purpose")
        rep = report_of(decode_tail(h))
        self.assertIn("Error Type: TypeError", rep["rest"])

    def test_warm_invokes_and_node_init_duration(self):
        _, h, _ = self.emu.invoke({"n": 1}, tail=True)
        _, h2, body = self.emu.invoke({"n": 2}, tail=True)
        self.assertEqual(json.loads(body)["echo"], {"n": 2})
        self.assertIsNone(init_duration(report_of(decode_tail(h2))))


if __name__ == "__main__":
    unittest.main(verbosity=2)
