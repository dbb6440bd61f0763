"""The aws CLI end to end against lambda-emulator, with only --endpoint-url
added: create-function from a zip, invoke --log-type Tail with the REPORT
line decoded, update-function-configuration forcing a cold start, wait
function-updated, update-function-code, get/list, delete-function, and the
errors in AWS's shapes."""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from emu import Emulator, init_duration, report_of, test_runtime

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("aws"):
            raise unittest.SkipTest("the aws CLI is not installed")
        cls.emu = Emulator(["--max-concurrency", "4"])
        cls.tmp = tempfile.mkdtemp(prefix="emu-cli-")
        cls.zip_path = os.path.join(cls.tmp, "function.zip")
        shutil.copy(test_runtime(), os.path.join(cls.tmp, "bootstrap"))
        subprocess.run(["zip", "-q", "-j", cls.zip_path, os.path.join(cls.tmp, "bootstrap")],
                       check=True)
        cls.env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                       AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/nonexistent",
                       AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_PAGER="")

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def aws(self, *args, check=True):
        p = subprocess.run(["aws", "lambda", *args, "--endpoint-url", self.emu.url],
                           env=self.env, capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            self.fail(f"aws lambda {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p

    def create(self, name, *extra):
        p = self.aws("create-function", "--function-name", name, "--runtime", "provided.al2023",
                     "--role", ROLE, "--handler", "bootstrap.handler",
                     "--zip-file", f"fileb://{self.zip_path}", *extra)
        return json.loads(p.stdout)

    def invoke(self, name, payload, *extra):
        out = os.path.join(self.tmp, "out.json")
        p = self.aws("invoke", "--function-name", name, "--log-type", "Tail",
                     "--payload", json.dumps(payload), *extra, out)
        meta = json.loads(p.stdout)
        with open(out) as f:
            body = f.read()
        tail = base64.b64decode(meta["LogResult"]).decode()
        return meta, body, tail

    def test_seed_article_flow(self):
        conf = self.create("seed-fn", "--memory-size", "128", "--timeout", "5")
        self.assertEqual(conf["FunctionName"], "seed-fn")
        self.assertEqual(conf["FunctionArn"],
                         "arn:aws:lambda:us-east-1:000000000000:function:seed-fn")
        self.assertEqual(conf["State"], "Active")
        self.assertEqual(conf["MemorySize"], 128)
        self.assertEqual(conf["Timeout"], 5)
        self.assertEqual(conf["CodeSize"], os.path.getsize(self.zip_path))
        self.aws("wait", "function-active", "--function-name", "seed-fn")

        meta, body, tail = self.invoke("seed-fn", {"n": 1})
        self.assertEqual(meta["StatusCode"], 200)
        self.assertEqual(meta["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", meta)
        self.assertEqual(json.loads(body), {"n": 1})
        rep = report_of(tail)
        self.assertIsNotNone(rep, tail)
        self.assertEqual(rep["size"], "128")
        cold_init = init_duration(rep)
        self.assertIsNotNone(cold_init, "the first invoke is a cold start")
        self.assertGreaterEqual(int(rep["billed"]), float(rep["duration"]) + cold_init)

        _, _, tail = self.invoke("seed-fn", {"n": 2})
        self.assertIsNone(init_duration(report_of(tail)), "the second invoke is warm")

        # The seed article forces a cold start by changing the configuration.
        p = self.aws("update-function-configuration", "--function-name", "seed-fn",
                     "--memory-size", "256", "--environment", "Variables={MODE=second}")
        conf = json.loads(p.stdout)
        self.assertEqual(conf["MemorySize"], 256)
        self.aws("wait", "function-updated", "--function-name", "seed-fn")
        conf = json.loads(self.aws("get-function-configuration", "--function-name",
                                   "seed-fn").stdout)
        self.assertEqual(conf["LastUpdateStatus"], "Successful")
        self.assertEqual(conf["Environment"], {"Variables": {"MODE": "second"}})

        _, body, tail = self.invoke("seed-fn", {"action": "env"})
        rep = report_of(tail)
        self.assertIsNotNone(init_duration(rep), "an updated configuration starts cold")
        self.assertEqual(rep["size"], "256")
        env = json.loads(body)
        self.assertEqual(env["MODE"], "second")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(env["_HANDLER"], "bootstrap.handler")
        self.assertEqual(env["AWS_EXECUTION_ENV"], "AWS_Lambda_provided.al2023")

        p = self.aws("update-function-code", "--function-name", "seed-fn",
                     "--zip-file", f"fileb://{self.zip_path}")
        self.assertEqual(json.loads(p.stdout)["MemorySize"], 256)
        self.aws("wait", "function-updated", "--function-name", "seed-fn")
        _, _, tail = self.invoke("seed-fn", {})
        self.assertIsNotNone(init_duration(report_of(tail)), "new code starts cold")

        self.aws("delete-function", "--function-name", "seed-fn")
        p = self.aws("invoke", "--function-name", "seed-fn", os.path.join(self.tmp, "x"),
                     check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ResourceNotFoundException", p.stderr)
        self.assertIn("Function not found: arn:aws:lambda:us-east-1:000000000000:function:seed-fn",
                      p.stderr)

    def test_get_and_list(self):
        self.create("listed-fn")
        got = json.loads(self.aws("get-function", "--function-name", "listed-fn").stdout)
        self.assertEqual(got["Configuration"]["FunctionName"], "listed-fn")
        self.assertEqual(got["Configuration"]["MemorySize"], 128)  # Lambda's default
        self.assertEqual(got["Configuration"]["Timeout"], 3)
        self.assertIn("Location", got["Code"])
        names = [f["FunctionName"] for f in
                 json.loads(self.aws("list-functions").stdout)["Functions"]]
        self.assertIn("listed-fn", names)
        got = json.loads(self.aws("get-function", "--function-name",
                                  "arn:aws:lambda:us-east-1:000000000000:function:listed-fn"
                                  ).stdout)
        self.assertEqual(got["Configuration"]["FunctionName"], "listed-fn")
        self.aws("delete-function", "--function-name", "listed-fn")
        names = [f["FunctionName"] for f in
                 json.loads(self.aws("list-functions").stdout)["Functions"]]
        self.assertNotIn("listed-fn", names)

    def test_errors_in_aws_shapes(self):
        self.create("dup-fn")
        p = self.aws("create-function", "--function-name", "dup-fn", "--runtime",
                     "provided.al2023", "--role", ROLE, "--handler", "h",
                     "--zip-file", f"fileb://{self.zip_path}", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ResourceConflictException", p.stderr)
        self.assertIn("Function already exist: dup-fn", p.stderr)

        p = self.aws("get-function", "--function-name", "missing-fn", check=False)
        self.assertIn("ResourceNotFoundException", p.stderr)
        p = self.aws("delete-function", "--function-name", "missing-fn", check=False)
        self.assertIn("ResourceNotFoundException", p.stderr)

        # The CLI refuses a non-zip itself; boto3 sends anything.
        import boto3
        import botocore.exceptions
        client = boto3.client("lambda", endpoint_url=self.emu.url, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            client.create_function(FunctionName="bad-zip-fn", Runtime="provided.al2023",
                                   Role=ROLE, Handler="h",
                                   Code={"ZipFile": b"PK\x03\x04 not really a zip" * 10})
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValueException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIn("Could not unzip uploaded file", err["Error"]["Message"])

        from botocore.config import Config
        loose = boto3.client("lambda", endpoint_url=self.emu.url, region_name="us-east-1",
                             aws_access_key_id="test", aws_secret_access_key="test",
                             config=Config(parameter_validation=False))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            loose.update_function_configuration(FunctionName="dup-fn", MemorySize=64)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        self.assertIn("'memorySize' failed to satisfy constraint", err["Error"]["Message"])
        self.aws("delete-function", "--function-name", "dup-fn")

    def test_zip_without_bootstrap(self):
        other = os.path.join(self.tmp, "nobootstrap.zip")
        readme = os.path.join(self.tmp, "README")
        with open(readme, "w") as f:
            f.write("no bootstrap here\n")
        subprocess.run(["zip", "-q", "-j", other, readme], check=True)
        self.aws("create-function", "--function-name", "nb-fn", "--runtime", "provided.al2023",
                 "--role", ROLE, "--handler", "h", "--zip-file", f"fileb://{other}")
        out = os.path.join(self.tmp, "nb.json")
        p = self.aws("invoke", "--function-name", "nb-fn", out)
        self.assertEqual(json.loads(p.stdout)["FunctionError"], "Unhandled")
        with open(out) as f:
            doc = json.load(f)
        self.assertEqual(doc["errorType"], "Runtime.InvalidEntrypoint")
        self.aws("delete-function", "--function-name", "nb-fn")

    def test_boto3_invoke_event_and_dry_run(self):
        import boto3
        from botocore.config import Config
        self.create("boto-fn")
        client = boto3.client("lambda", endpoint_url=self.emu.url, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test",
                              config=Config(retries={"max_attempts": 0}))
        r = client.invoke(FunctionName="boto-fn", Payload=b'{"x": 1}')
        self.assertEqual(json.loads(r["Payload"].read()), {"x": 1})
        r = client.invoke(FunctionName="boto-fn", InvocationType="Event", Payload=b"{}")
        self.assertEqual(r["StatusCode"], 202)
        r = client.invoke(FunctionName="boto-fn", InvocationType="DryRun")
        self.assertEqual(r["StatusCode"], 204)
        with self.assertRaises(client.exceptions.ResourceNotFoundException):
            client.invoke(FunctionName="nobody")
        with self.assertRaises(client.exceptions.RequestTooLargeException):
            client.invoke(FunctionName="boto-fn", Payload=b'"' + b"a" * 6291456 + b'"')
        client.delete_function(FunctionName="boto-fn")

    def test_update_and_delete_while_busy(self):
        import threading
        import boto3
        self.create("busy-fn", "--timeout", "10")
        client = boto3.client("lambda", endpoint_url=self.emu.url, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
        client.invoke(FunctionName="busy-fn", Payload=b"{}")  # a warm environment
        results = {}

        def slow():
            r = client.invoke(FunctionName="busy-fn", LogType="Tail",
                              Payload=json.dumps({"action": "sleep", "ms": 1200}).encode())
            results["slow"] = r

        t = threading.Thread(target=slow)
        t.start()
        import time
        time.sleep(0.4)
        client.update_function_configuration(FunctionName="busy-fn", MemorySize=256)
        t.join()
        r = results["slow"]
        self.assertNotIn("FunctionError", r)
        self.assertEqual(json.loads(r["Payload"].read()), {"slept": 1200})
        rep = report_of(base64.b64decode(r["LogResult"]).decode())
        self.assertEqual(rep["size"], "128")  # it ran on the old configuration
        r = client.invoke(FunctionName="busy-fn", LogType="Tail", Payload=b"{}")
        rep = report_of(base64.b64decode(r["LogResult"]).decode())
        self.assertEqual(rep["size"], "256")
        self.assertIsNotNone(init_duration(rep))

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.4)
        client.delete_function(FunctionName="busy-fn")
        t.join()
        self.assertEqual(json.loads(results["slow"]["Payload"].read()), {"slept": 1200})
        with self.assertRaises(client.exceptions.ResourceNotFoundException):
            client.invoke(FunctionName="busy-fn", Payload=b"{}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
