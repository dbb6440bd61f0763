"""The deployment zips (function/package.sh, `make package`): what they
hold, that the unpacked bootstrap runs on its shipped libcjson, and that the
emulator runs both functions created from them (CreateFunction with the zip,
Invoke) against a DynamoDB-compatible server.

FUNCTION_ZIP names a zip to check; without it the test packs BIN_DIR's
bench-function into a temporary folder."""
import json
import os
import shutil
import stat
import subprocess
import tempfile
import unittest
import zipfile

import fnharness as fh
import harness

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def setUpModule():
    global TMP, ZIP, PY_ZIP
    TMP = tempfile.mkdtemp(prefix="fn-package-")
    ZIP = os.environ.get("FUNCTION_ZIP")
    if not ZIP:
        ZIP = os.path.join(TMP, "function.zip")
        subprocess.run([os.path.join(ROOT, "function", "package.sh"),
                        harness.binary("bench-function"), ZIP], check=True,
                       stdout=subprocess.DEVNULL)
    PY_ZIP = ZIP[:-len(".zip")] + "-python.zip"


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class PackageTest(unittest.TestCase):
    def test_zip_contents(self):
        with zipfile.ZipFile(ZIP) as z:
            names = set(z.namelist())
            self.assertIn("bootstrap", names)
            self.assertIn("lib/libcjson.so.1", names)
            mode = z.getinfo("bootstrap").external_attr >> 16
            self.assertTrue(mode & stat.S_IXUSR, oct(mode))
        with zipfile.ZipFile(PY_ZIP) as z:
            self.assertEqual(set(z.namelist()), {"lambda_function.py", "bootstrap"})
            self.assertTrue((z.getinfo("bootstrap").external_attr >> 16) & stat.S_IXUSR)

    def test_unpacked_bootstrap_uses_shipped_cjson_and_runs(self):
        root = os.path.join(TMP, "task")
        with zipfile.ZipFile(ZIP) as z:
            z.extractall(root)
        boot = os.path.join(root, "bootstrap")
        os.chmod(boot, 0o755)
        ldd = subprocess.run(["ldd", boot], capture_output=True, text=True).stdout
        self.assertIn(os.path.join(root, "lib", "libcjson.so.1"), ldd)
        dyn = fh.DynamoBackend("moto")
        api = fh.FakeRuntimeAPI()
        fn = None
        try:
            dyn.create_table()
            fn = fh.Function([boot], api, dict(fh.CREDS, AWS_ENDPOINT_URL_DYNAMODB=dyn.url))
            kind, body, _ = api.invoke(fh.api_gateway_event("put"))
            self.assertEqual(kind, "response", body)
            self.assertEqual(json.loads(json.loads(body)["body"])["items_count"], 1)
        finally:
            if fn:
                fn.stop()
            api.stop()
            dyn.stop()


class EmulatorTest(unittest.TestCase):
    """Both zips created on lambda-emulator and invoked through its Invoke API."""

    @classmethod
    def setUpClass(cls):
        if not os.access(os.path.join(harness.BIN_DIR, "lambda-emulator"), os.X_OK):
            raise unittest.SkipTest("lambda-emulator is not built")
        cls.dyn = fh.DynamoBackend.with_table()  # the shim when it is built, else moto
        try:
            cls.emu = harness.Server(["lambda-emulator", "--port", "{port}", "--no-cgroups"],
                                     env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
        except BaseException:
            cls.dyn.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        cls.dyn.stop()

    def lambda_client(self):
        import boto3
        return boto3.client("lambda", endpoint_url=self.emu.url, region_name="us-east-1",
                            aws_access_key_id="x", aws_secret_access_key="x")

    def create_and_invoke(self, name, zip_path, runtime, handler, extra_env=None):
        lam = self.lambda_client()
        with open(zip_path, "rb") as f:
            code = f.read()
        env = dict(fh.CREDS, AWS_ENDPOINT_URL_DYNAMODB=self.dyn.url)
        env.update(extra_env or {})
        lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler,
                            Role="arn:aws:iam::123456789012:role/bench", Code={"ZipFile": code},
                            Environment={"Variables": env}, MemorySize=128, Timeout=30)
        results = {}
        for op in ["batch_write", "query", "get", "put", "update", "delete"]:
            r = lam.invoke(FunctionName=name, Payload=json.dumps(fh.api_gateway_event(op)))
            payload = json.loads(r["Payload"].read())
            self.assertNotIn("FunctionError", r, payload)
            self.assertEqual(payload["statusCode"], 200, payload)
            results[op] = json.loads(payload["body"])
        return results

    def test_c_zip_on_emulator(self):
        res = self.create_and_invoke("bench-c", ZIP, "provided.al2023", "bootstrap")
        self.assertEqual(res["query"]["items_count"], 25)
        self.assertEqual(res["query"]["runtime"], "c")

    def test_python_zip_on_emulator(self):
        # The emulator's PATH finds the system python3, which may lack boto3
        # (on Lambda the runtime brings it): lend it this interpreter's.
        import boto3
        site = os.path.dirname(os.path.dirname(boto3.__file__))
        res = self.create_and_invoke("bench-python", PY_ZIP, "provided.al2023",
                                     "lambda_function.lambda_handler", {"PYTHONPATH": site})
        self.assertGreaterEqual(res["query"]["items_count"], 1)
        self.assertEqual(res["get"]["runtime"], "python")


if __name__ == "__main__":
    unittest.main()
