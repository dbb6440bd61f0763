"""lambda-emulator --auth strict: the Invoke API and control plane take only
requests SigV4-signed (service "lambda") by a known credential, and refuse
the rest as Lambda does (403 and the error's name); the Runtime API, which
runtimes call unsigned, is not affected."""
import http.client
import io
import json
import os
import shutil
import subprocess
import unittest
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from emu import Emulator, test_runtime

AKID, SECRET = "AKIDEMULATOR", "emulator-secret"


def lambda_client(url, secret=SECRET):
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=AKID, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}))


class StrictInvokeApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(["--auth", "strict", "--access-key-id", AKID,
                            "--secret-access-key", SECRET, "--region", "us-east-1"])
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            info = zipfile.ZipInfo("bootstrap")
            info.external_attr = 0o755 << 16
            with open(test_runtime(), "rb") as f:
                z.writestr(info, f.read())
        lambda_client(cls.emu.url).create_function(
            FunctionName="signed", Runtime="provided.al2023", Handler="h",
            Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": buf.getvalue()})

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def test_signed_invoke(self):
        out = lambda_client(self.emu.url).invoke(FunctionName="signed",
                                                  Payload=json.dumps({"action": "echo", "x": 1}))
        self.assertEqual(out["StatusCode"], 200)
        self.assertNotIn("FunctionError", out)

    def test_signed_with_query_and_escaped_name(self):
        # The signature covers the query string and the path as sent: an ARN
        # travels as arn%3Aaws%3A... and is signed encoded once more.
        client = lambda_client(self.emu.url)
        arn = client.get_function(FunctionName="signed")["Configuration"]["FunctionArn"]
        for name, qualifier in (("signed", "$LATEST"), (arn, None), (arn + ":$LATEST", None)):
            with self.subTest(name=name, qualifier=qualifier):
                kw = {"Qualifier": qualifier} if qualifier else {}
                out = client.invoke(FunctionName=name, Payload=b'{"action": "echo"}', **kw)
                self.assertEqual(out["StatusCode"], 200)
        listed = client.list_functions(MaxItems=1)
        self.assertEqual(len(listed["Functions"]), 1)

    def test_wrong_secret(self):
        with self.assertRaises(ClientError) as cm:
            lambda_client(self.emu.url, "wrong").list_functions()
        err = cm.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(err["Error"]["Code"], "InvalidSignatureException")

    def test_unsigned(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=10)
        conn.request("POST", "/2015-03-31/functions/signed/invocations", body=b"{}")
        resp = conn.getresponse()
        body = json.loads(resp.read())
        conn.close()
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.getheader("x-amzn-ErrorType"), "MissingAuthenticationTokenException")
        self.assertEqual(body, {"message": "Missing Authentication Token"})

    def test_aws_cli(self):
        if not shutil.which("aws"):
            self.skipTest("the aws CLI is not installed")
        env = dict(os.environ, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/nonexistent",
                   AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_PAGER="")
        env.pop("AWS_SESSION_TOKEN", None)
        p = subprocess.run(["aws", "lambda", "list-functions", "--endpoint-url", self.emu.url],
                           capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("signed", p.stdout)
        env["AWS_ACCESS_KEY_ID"] = "AKIDOTHER"
        p = subprocess.run(["aws", "lambda", "list-functions", "--endpoint-url", self.emu.url],
                           capture_output=True, text=True, env=env, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("UnrecognizedClientException", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
