"""dynamo-local-shim --auth strict: real clients (boto3, the aws CLI, the Node
SDK, the project's own C client) are accepted with the right credentials and
refused, with DynamoDB's errors, with wrong ones; unsigned, malformed and
stale requests get their own errors."""
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.config import Config
from botocore.exceptions import ClientError

import harness

AKID, SECRET = "AKIDSTRICTTEST", "strict/secret+key"
TEMP_AKID, TEMP_SECRET, TOKEN = "ASIATEMPTEST", "temp-secret", "session-token-xyz"
REGION = "us-east-1"
TABLE = "auth-table"
NPM_DIR = os.path.join(harness.BIN_DIR, "..", "npm", "aws-sdk")


def client(url, akid=AKID, secret=SECRET, token=None):
    return boto3.client("dynamodb", endpoint_url=url, region_name=REGION,
                        aws_access_key_id=akid, aws_secret_access_key=secret,
                        aws_session_token=token,
                        config=Config(retries={"max_attempts": 1}))


def raw_post(url, headers, body=b"{}"):
    req = urllib.request.Request(url + "/", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def signed_headers(url, when, akid=AKID, secret=SECRET, target="DynamoDB_20120810.ListTables",
                   body=b"{}"):
    """Headers of a request signed by botocore's own signer at a chosen time."""
    req = botocore.awsrequest.AWSRequest(method="POST", url=url + "/", data=body, headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
    signer = botocore.auth.SigV4Auth(botocore.credentials.Credentials(akid, secret),
                                     "dynamodb", REGION)
    real = datetime.datetime

    class Frozen(real):
        @classmethod
        def utcnow(cls):
            return when

        @classmethod
        def now(cls, tz=None):
            return when if tz is None else when.replace(tzinfo=tz)

    botocore.auth.datetime.datetime = Frozen
    try:
        signer.add_auth(req)
    finally:
        botocore.auth.datetime.datetime = real
    return dict(req.headers.items())


class StrictAuth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        creds = os.path.join(cls.tmp, "credentials")
        with open(creds, "w") as f:
            f.write("# test credentials\n%s %s\n\n%s %s %s\n" % (AKID, SECRET, TEMP_AKID,
                                                                TEMP_SECRET, TOKEN))
        cls.srv = harness.Server(["dynamo-local-shim", "--port", "{port}", "--region", REGION,
                                  "--auth", "strict", "--credentials", creds])
        client(cls.srv.url).create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}])

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def error(self, fn):
        with self.assertRaises(ClientError) as cm:
            fn()
        return cm.exception.response["Error"]

    def test_boto3_accepted(self):
        c = client(self.srv.url)
        c.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "sk": {"S": "1"}})
        self.assertEqual(c.get_item(TableName=TABLE, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})
                         ["Item"]["pk"], {"S": "a"})

    def test_session_token(self):
        c = client(self.srv.url, TEMP_AKID, TEMP_SECRET, TOKEN)
        self.assertIn(TABLE, c.list_tables()["TableNames"])
        e = self.error(lambda: client(self.srv.url, TEMP_AKID, TEMP_SECRET).list_tables())
        self.assertEqual(e["Code"], "UnrecognizedClientException")
        e = self.error(lambda: client(self.srv.url, TEMP_AKID, TEMP_SECRET, "other").list_tables())
        self.assertEqual(e["Code"], "UnrecognizedClientException")

    def test_wrong_secret(self):
        e = self.error(lambda: client(self.srv.url, AKID, "wrong").list_tables())
        self.assertEqual(e["Code"], "InvalidSignatureException")
        self.assertTrue(e["Message"].startswith(
            "The request signature we calculated does not match the signature you provided."))

    def test_unknown_key(self):
        e = self.error(lambda: client(self.srv.url, "AKIDUNKNOWN", SECRET).list_tables())
        self.assertEqual(e["Code"], "UnrecognizedClientException")
        self.assertEqual(e["Message"], "The security token included in the request is invalid.")

    def test_unsigned(self):
        status, body = raw_post(self.srv.url, {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                               "Content-Type": "application/x-amz-json-1.0"})
        self.assertEqual(status, 400)
        self.assertEqual(body, {"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
                                "message": "Request is missing Authentication Token"})

    def test_malformed(self):
        status, body = raw_post(self.srv.url, {
            "X-Amz-Target": "DynamoDB_20120810.ListTables", "X-Amz-Date": "20260101T000000Z",
            "Authorization": "AWS4-HMAC-SHA256 Signature=abc"})
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "com.amazon.coral.service#IncompleteSignatureException")
        self.assertIn("Authorization header requires 'Credential' parameter.", body["message"])

    def test_stale_and_future(self):
        now = datetime.datetime.utcnow()
        for delta, words in ((-20, "Signature expired"), (20, "Signature not yet current")):
            headers = signed_headers(self.srv.url, now + datetime.timedelta(minutes=delta))
            status, body = raw_post(self.srv.url, headers)
            self.assertEqual(status, 400)
            self.assertEqual(body["__type"], "com.amazon.coral.service#InvalidSignatureException")
            self.assertIn(words, body["message"])
        # Within the 15 minutes, the same signer is accepted.
        status, body = raw_post(self.srv.url, signed_headers(
            self.srv.url, now - datetime.timedelta(minutes=10)))
        self.assertEqual(status, 200, body)

    def test_tampered_body(self):
        headers = signed_headers(self.srv.url, datetime.datetime.utcnow())
        status, body = raw_post(self.srv.url, headers, b'{"Limit": 1}')
        self.assertEqual(body["__type"], "com.amazon.coral.service#InvalidSignatureException")

    def test_aws_cli(self):
        if shutil.which("aws") is None:
            self.skipTest("the aws CLI is not installed")
        env = dict(os.environ, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_DEFAULT_REGION=REGION)
        env.pop("AWS_SESSION_TOKEN", None)
        p = subprocess.run(["aws", "dynamodb", "list-tables", "--endpoint-url", self.srv.url],
                           capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(TABLE, p.stdout)
        env["AWS_SECRET_ACCESS_KEY"] = "wrong"
        p = subprocess.run(["aws", "dynamodb", "list-tables", "--endpoint-url", self.srv.url],
                           capture_output=True, text=True, env=env, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("InvalidSignatureException", p.stderr)

    def test_c_client(self):
        exe = os.path.join(harness.BIN_DIR, "bench-ddb-client")
        if not os.access(exe, os.X_OK):
            self.skipTest("bench-ddb-client is not built")
        env = dict(os.environ, AWS_ENDPOINT_URL_DYNAMODB=self.srv.url, AWS_REGION=REGION,
                   AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET, TABLE_NAME=TABLE)
        env.pop("AWS_SESSION_TOKEN", None)
        p = subprocess.run([exe, "3"], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "", "every call of the C client must be accepted")
        env["AWS_SECRET_ACCESS_KEY"] = "wrong"
        p = subprocess.run([exe, "1"], capture_output=True, text=True, env=env, timeout=60)
        self.assertIn("InvalidSignatureException", p.stderr)

    def test_node_sdk(self):
        mod = os.path.join(NPM_DIR, "node_modules", "@aws-sdk", "client-dynamodb")
        if shutil.which("node") is None or shutil.which("npm") is None:
            self.skipTest("node or npm is not installed")
        if not os.path.isdir(mod):
            os.makedirs(NPM_DIR, exist_ok=True)
            p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", NPM_DIR,
                                "@aws-sdk/client-dynamodb@3"], capture_output=True, text=True,
                               timeout=300)
            if p.returncode != 0:
                self.skipTest("cannot install @aws-sdk/client-dynamodb: " + p.stderr[-300:])
        script = """
const {DynamoDBClient, ListTablesCommand} = require('@aws-sdk/client-dynamodb');
const c = new DynamoDBClient({endpoint: process.argv[1], region: 'us-east-1', maxAttempts: 1,
  credentials: {accessKeyId: process.argv[2], secretAccessKey: process.argv[3]}});
c.send(new ListTablesCommand({})).then(r => console.log(JSON.stringify(r.TableNames)),
  e => { console.log('ERROR ' + e.name); });
"""
        def run(secret):
            return subprocess.run(["node", "-e", script, self.srv.url, AKID, secret],
                                  capture_output=True, text=True, timeout=60,
                                  env=dict(os.environ, NODE_PATH=os.path.join(NPM_DIR, "node_modules")))
        p = run(SECRET)
        self.assertIn(TABLE, p.stdout, p.stderr)
        p = run("wrong")
        self.assertIn("ERROR InvalidSignatureException", p.stdout, p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
