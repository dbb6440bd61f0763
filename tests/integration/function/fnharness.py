"""Helpers for the function's integration tests: a DynamoDB-compatible server
on loopback (the project's dynamo-local-shim when it is built, else
moto_server), a fake Lambda Runtime API, and the function run against both."""
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness

TABLE = "lambda-rust-bench"
CREDS = {"AWS_ACCESS_KEY_ID": "AKIDFUNCTIONTEST", "AWS_SECRET_ACCESS_KEY": "function/test/secret",
         "AWS_SESSION_TOKEN": "function-test-session-token", "AWS_REGION": "us-east-1"}


def backend_kind():
    """'shim' when dynamo-local-shim is built (or FUNCTION_BACKEND=shim), else 'moto'."""
    forced = os.environ.get("FUNCTION_BACKEND")
    if forced:
        return forced
    shim = os.path.join(harness.BIN_DIR, "dynamo-local-shim")
    return "shim" if os.access(shim, os.X_OK) else "moto"


def _moto_argv(port):
    exe = shutil.which("moto_server")
    if exe:
        return [exe, "-H", "127.0.0.1", "-p", str(port)]
    import importlib.util
    if importlib.util.find_spec("moto") is None:
        import unittest
        raise unittest.SkipTest("moto is not installed (pip install 'moto[server]'), "
                                "and this test needs it")
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


class DynamoBackend:
    """A DynamoDB-compatible server on a free loopback port, with the bench
    table created."""

    def __init__(self, kind=None):
        self.kind = kind or backend_kind()
        self.port = harness.free_port()
        if self.kind == "shim":
            argv = [harness.binary("dynamo-local-shim"), "--port", str(self.port)]
        else:
            argv = _moto_argv(self.port)
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            harness.wait_http(self.url + "/", timeout=30, proc=self.proc)
        except Exception:
            self.stop()
            raise

    @classmethod
    def with_table(cls, kind=None, name=TABLE):
        """A started server with the table created; stopped again if the
        creation fails, so no server outlives a failed setUpClass."""
        dyn = cls(kind)
        try:
            dyn.create_table(name)
        except BaseException:
            dyn.stop()
            raise
        return dyn

    def client(self):
        import boto3
        return boto3.client("dynamodb", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id=CREDS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=CREDS["AWS_SECRET_ACCESS_KEY"],
                            aws_session_token=CREDS["AWS_SESSION_TOKEN"])

    def create_table(self, name=TABLE):
        c = self.client()
        c.create_table(TableName=name,
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                             {"AttributeName": "sk", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}],
                       BillingMode="PAY_PER_REQUEST")
        return c

    def stop(self):
        harness.terminate(self.proc)


class QuietHTTPServer(ThreadingHTTPServer):
    """A threading server that does not print a traceback when a test kills
    the client in the middle of a request."""
    daemon_threads = True

    def handle_error(self, request, client_address):
        import sys as _sys
        if not isinstance(_sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            super().handle_error(request, client_address)


class FakeRuntimeAPI:
    """The Lambda Runtime API (2018-06-01) for one function process: invoke()
    hands an event to the waiting /next and returns what the function posts."""

    def __init__(self):
        self.events = queue.Queue()
        self.results = {}
        self.done = {}
        self.init_errors = []
        self.connections = set()
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"{}"):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                with api.lock:
                    api.connections.add(self.client_address)
                if self.path != "/2018-06-01/runtime/invocation/next":
                    return self._reply(404)
                item = api.events.get()
                if item is None:  # shutting down: close without an answer
                    self.close_connection = True
                    return
                rid, payload, deadline, extra = item
                body = payload.encode()
                self.send_response(200)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Lambda-Runtime-Aws-Request-Id", rid)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(deadline))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                                 "arn:aws:lambda:us-east-1:123456789012:function:bench")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-5e1b4151-5ac6c58f5b5dbd6a")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                with api.lock:
                    api.connections.add(self.client_address)
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                parts = self.path.split("/")
                if self.path == "/2018-06-01/runtime/init/error":
                    api.init_errors.append((self.headers.get("Lambda-Runtime-Function-Error-Type"),
                                            json.loads(body)))
                    return self._reply(202, b'{"status":"OK"}')
                if len(parts) == 6 and parts[4] and parts[5] in ("response", "error"):
                    rid = parts[4]
                    with api.lock:
                        ev = api.done.get(rid)
                    if ev is None:
                        return self._reply(400)
                    api.results[rid] = (parts[5], body,
                                        self.headers.get("Lambda-Runtime-Function-Error-Type"))
                    ev.set()
                    return self._reply(202, b'{"status":"OK"}')
                return self._reply(404)

        self.server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def invoke(self, event, timeout=30, headers=None, delay=0, deadline_s=30):
        """Returns (kind, body, error_type); kind is 'response' or 'error'.
        headers are extra /next headers; delay holds the event back;
        deadline_s sets Lambda-Runtime-Deadline-Ms that far ahead."""
        rid = str(uuid.uuid4())
        done = threading.Event()
        with self.lock:
            self.done[rid] = done
        payload = event if isinstance(event, str) else json.dumps(event)
        if delay:
            time.sleep(delay)
        self.events.put((rid, payload, int(time.time() * 1000) + int(deadline_s * 1000),
                         headers or {}))
        if not done.wait(timeout):
            raise TimeoutError(f"no answer for {rid} within {timeout}s")
        kind, body, etype = self.results.pop(rid)
        return kind, body, etype

    def stop(self):
        for _ in range(4):
            self.events.put(None)
        self.server.shutdown()
        self.server.server_close()


class Function:
    """A function process (argv) attached to a FakeRuntimeAPI."""

    def __init__(self, argv, api, env):
        full = {"PATH": os.environ.get("PATH", ""), "AWS_LAMBDA_RUNTIME_API": api.address,
                "ASAN_OPTIONS": "detect_leaks=1"}
        full.update(env)
        self.proc = subprocess.Popen(argv, env=full, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)

    def stop(self):
        harness.terminate(self.proc)
        out = self.proc.stdout.read().decode(errors="replace")
        self.proc.stdout.close()
        return out


def api_gateway_event(op):
    """The seed article's API Gateway HTTP API (payload 2.0) event."""
    return {"version": "2.0", "routeKey": "$default", "rawPath": "/", "headers": {},
            "requestContext": {"http": {"method": "GET"}},
            "queryStringParameters": {"op": op}}


def botocore_authorization(method, url, headers, body, creds, region):
    """The Authorization header botocore would send for this request at the
    X-Amz-Date it carries."""
    import datetime
    from unittest import mock

    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    when = datetime.datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    req = AWSRequest(method=method, url=url, data=body, headers={
        "Content-Type": headers.get("Content-Type"),
        "X-Amz-Target": headers.get("X-Amz-Target"),
    })
    c = Credentials(creds["AWS_ACCESS_KEY_ID"], creds["AWS_SECRET_ACCESS_KEY"],
                    creds.get("AWS_SESSION_TOKEN"))
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
        botocore.auth.SigV4Auth(c, "dynamodb", region).add_auth(req)
    return req.headers["Authorization"]


class ScriptedDynamo:
    """A DynamoDB endpoint that answers from a script: each entry is
    (status, body_dict, options) where options may hold "crc32": a wrong
    value to send, or "delay": seconds to wait before answering. Past the script it answers {} with 200. Every request's
    SigV4 signature is checked against botocore's."""

    def __init__(self, script, creds=CREDS, region="us-east-1"):
        self.script = list(script)
        self.requests = []
        self.bad_signatures = []
        self.clients = set()
        dyn = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                import zlib
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                hdrs = {k: v for k, v in self.headers.items()}
                dyn.requests.append((hdrs, body))
                dyn.clients.add(self.client_address)
                url = f"http://127.0.0.1:{dyn.port}{self.path}"
                want = botocore_authorization("POST", url, hdrs, body, creds, region)
                if hdrs.get("Authorization") != want:
                    dyn.bad_signatures.append((hdrs.get("Authorization"), want))
                status, doc, opts = dyn.script.pop(0) if dyn.script else (200, {}, {})
                if opts.get("delay"):
                    time.sleep(opts["delay"])
                out = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("x-amzn-RequestId", "REQ%d" % len(dyn.requests))
                crc = opts.get("crc32", zlib.crc32(out) & 0xFFFFFFFF)
                self.send_header("x-amz-crc32", str(crc))
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def throttled():
    return (400, {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                  "message": "The level of configured provisioned throughput for the table was "
                             "exceeded. Consider increasing your provisioning level with the "
                             "UpdateTable API."}, {})


def internal_error():
    return (500, {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                  "message": "Internal server error"}, {})


def make_tls_material(folder):
    """A self-signed certificate for 127.0.0.1 and a CA bundle made of the
    system bundle plus it (so verification parses ~145 certificates, as
    with AWS's endpoints). Returns (cert, key, bundle)."""
    cert = os.path.join(folder, "cert.pem")
    key = os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    bundle = os.path.join(folder, "bundle.pem")
    with open(bundle, "wb") as out:
        system = "/etc/ssl/certs/ca-certificates.crt"
        if os.path.exists(system):
            with open(system, "rb") as f:
                out.write(f.read())
        with open(cert, "rb") as f:
            out.write(f.read())
    return cert, key, bundle


class TlsProxy:
    """TLS on 127.0.0.1:<port> in front of a plain HTTP server: one backend
    connection per client connection, bytes pumped both ways, so keep-alive
    behaves as the backend makes it behave."""

    def __init__(self, backend_port, cert, key):
        import socket
        import ssl
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.backend_port = backend_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self.connections = 0
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        while self.running:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(raw, socket), daemon=True).start()

    def _serve(self, raw, socket):
        try:
            tls = self.ctx.wrap_socket(raw, server_side=True)
        except OSError:
            raw.close()
            return
        back = socket.create_connection(("127.0.0.1", self.backend_port))

        def pump(src, dst):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        t = threading.Thread(target=pump, args=(back, tls), daemon=True)
        t.start()
        pump(tls, back)
        t.join(5)
        tls.close()
        back.close()

    def stop(self):
        self.running = False
        self.sock.close()
