"""lambda-bench against the emulator with SigV4 on: a proxy in front of the
emulator recomputes every request's signature with botocore's signer
(service "lambda") and refuses a mismatch as AWS does (403
InvalidSignatureException), so a run that succeeds is a run whose every
Invoke, GetFunctionConfiguration and UpdateFunctionConfiguration request was
signed as AWS expects; a wrong secret or no signature makes the driver fail."""
import base64
import http.client
import http.server
import json
import os
import re
import subprocess
import tempfile
import threading
import unittest
import urllib.request

import harness

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
AKID, SECRET, TOKEN = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session/token+="
AUTHZ = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                   r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$")


def botocore_verifies(method, path, headers, body, secret):
    """None when the request's signature is the one botocore computes, else why not."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    m = AUTHZ.match(headers.get("Authorization", ""))
    if not m:
        return "no SigV4 Authorization header"
    akid, day, region, service, signed, sig = m.groups()
    if service != "lambda" or region != "us-east-1" or akid != AKID:
        return f"scope {akid}/{region}/{service}"
    if not headers.get("X-Amz-Date", "").startswith(day):
        return "X-Amz-Date is not the scope's day"
    names = signed.split(";")
    for must in ("host", "x-amz-date", "x-amz-security-token"):
        if must not in names:
            return f"{must} is not signed"
    req = AWSRequest(method=method, url=f"http://{headers['Host']}{path}", data=body,
                     headers={n: headers[n] for n in names})
    req.context["timestamp"] = headers["X-Amz-Date"]
    auth = SigV4Auth(Credentials(akid, secret, headers.get("X-Amz-Security-Token")), service,
                     region)
    if auth.signed_headers(auth.headers_to_sign(req)) != signed:
        return f"SignedHeaders {signed}"
    want = auth.signature(auth.string_to_sign(req, auth.canonical_request(req)), req)
    return None if want == sig else "signature mismatch"


class VerifyingProxy:
    def __init__(self, upstream_port, secret):
        self.verified, self.refused, self.ops = 0, [], set()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def handle_one(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                why = botocore_verifies(self.command, self.path, self.headers, body, secret)
                if why:
                    outer.refused.append(f"{self.command} {self.path}: {why}")
                    doc = json.dumps({"Type": "User", "message": f"refused: {why}"}).encode()
                    self.send_response(403)
                    self.send_header("x-amzn-ErrorType", "InvalidSignatureException")
                    self.send_header("Content-Length", str(len(doc)))
                    self.end_headers()
                    self.wfile.write(doc)
                    return
                outer.verified += 1
                outer.ops.add((self.command, self.path.rsplit("/", 1)[-1]))
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                fwd = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
                conn.request(self.command, self.path, body=body or None, headers=fwd)
                r = conn.getresponse()
                data = r.read()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding",
                                         "date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = handle_one

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class DriverSigV4(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        try:
            import botocore  # noqa: F401
        except ImportError:
            raise unittest.SkipTest("botocore is not installed for this python3")
        cls.tmp = tempfile.mkdtemp(prefix="lambda-bench-sigv4-")
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
        cls.shim = harness.Server(["dynamo-local-shim", "--port", "{port}"], env=env)
        try:
            cls.emu = harness.Server(["lambda-emulator", "--port", "{port}", "--log-file",
                                      os.path.join(cls.tmp, "emulator.log"), "--state-dir",
                                      os.path.join(cls.tmp, "state")], env=env)
        except Exception:
            cls.shim.stop()
            raise
        try:
            cls.create()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def create(cls):
        def post(url, doc, headers):
            req = urllib.request.Request(url, json.dumps(doc).encode(), headers)
            urllib.request.urlopen(req, timeout=30).read()
        post(cls.shim.url, {"TableName": "lambda-rust-bench", "BillingMode": "PAY_PER_REQUEST",
                            "AttributeDefinitions": [
                                {"AttributeName": "pk", "AttributeType": "S"},
                                {"AttributeName": "sk", "AttributeType": "S"}],
                            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                          {"AttributeName": "sk", "KeyType": "RANGE"}]},
             {"X-Amz-Target": "DynamoDB_20120810.CreateTable",
              "Content-Type": "application/x-amz-json-1.0",
              "Authorization": "AWS4-HMAC-SHA256 Credential=x/20200101/us-east-1/dynamodb/"
                               "aws4_request, SignedHeaders=host, Signature=0"})
        zip_path = os.path.join(cls.tmp, "function.zip")
        subprocess.run([os.path.join(ROOT, "function", "package.sh"),
                        harness.binary("bench-function"), zip_path], check=True,
                       stdout=subprocess.DEVNULL)
        with open(zip_path, "rb") as f:
            code = base64.b64encode(f.read()).decode()
        post(cls.emu.url + "/2015-03-31/functions",
             {"FunctionName": "bench-c", "Runtime": "provided.al2023", "Handler": "bootstrap",
              "Role": "arn:aws:iam::000000000000:role/r", "Code": {"ZipFile": code},
              "MemorySize": 128, "Environment": {"Variables": {
                  "AWS_ENDPOINT_URL_DYNAMODB": cls.shim.url, "KEEP": "me"}}},
             {"Content-Type": "application/json"})

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        cls.shim.stop()

    def bench(self, proxy, *extra, creds=True):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        if creds:
            env.update(AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET,
                       AWS_SESSION_TOKEN=TOKEN)
        out = os.path.join(self.tmp, "out")
        return subprocess.run([harness.binary("lambda-bench"), "--endpoint", proxy.url,
                               "--region", "us-east-1", "--c", "bench-c", "--cold", "1",
                               "--warm", "2", "--ops", "put,get", "--out", out, "--quiet",
                               *extra], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=120)

    def configuration(self):
        with urllib.request.urlopen(self.emu.url + "/2015-03-31/functions/bench-c/configuration",
                                    timeout=10) as r:
            return json.loads(r.read())

    def test_every_request_is_signed_as_botocore_signs(self):
        proxy = VerifyingProxy(self.emu.port, SECRET)
        try:
            r = self.bench(proxy)
        finally:
            proxy.stop()
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        self.assertEqual(proxy.refused, [])
        self.assertEqual(proxy.ops, {("POST", "invocations"), ("GET", "configuration"),
                                     ("PUT", "configuration")})
        # 1 read + 2 cold starts (as deployed, warm connection) x (update, wait,
        # 2 invokes) + restore (update, wait) + seed + 2 ops x 2 invokes.
        self.assertGreaterEqual(proxy.verified, 1 + 2 * 4 + 2 + 1 + 4)
        with open(os.path.join(self.tmp, "out", "lambda-bench.json")) as f:
            self.assertTrue(json.load(f)["target"]["signed"])
        # The environment is back as deployed.
        self.assertEqual(self.configuration()["Environment"]["Variables"],
                         {"AWS_ENDPOINT_URL_DYNAMODB": self.shim.url, "KEEP": "me"})

    def test_a_wrong_secret_fails_the_run(self):
        proxy = VerifyingProxy(self.emu.port, SECRET + "x")
        try:
            r = self.bench(proxy)
        finally:
            proxy.stop()
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"403 InvalidSignatureException", r.stderr)
        self.assertEqual(proxy.verified, 0)

    def test_without_credentials_nothing_is_signed(self):
        proxy = VerifyingProxy(self.emu.port, SECRET)
        try:
            r = self.bench(proxy, creds=False)
        finally:
            proxy.stop()
        self.assertEqual(r.returncode, 1)
        self.assertTrue(proxy.refused)
        self.assertTrue(all("no SigV4" in x for x in proxy.refused), proxy.refused)


if __name__ == "__main__":
    unittest.main()
