"""bench-netproxy, the network model: bytes pass through unchanged (plain and
TLS, verified against the run's CA), keep-alive is kept, each request pays
at least the added round trip and a new TLS connection at least two (TCP +
TLS 1.3). Only lower bounds are checked: they hold by construction however
slow the machine is."""
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

import harness

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "local"))
import local_bench  # noqa: E402

RTT_MS = 40.0
AUTH = ("AWS4-HMAC-SHA256 Credential=x/20200101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=0")


class Proxy:
    def __init__(self, upstream_port, tls=None, rtt=RTT_MS, dist="fixed"):
        self.port = harness.free_port()
        argv = [harness.binary("bench-netproxy"), "--port", str(self.port), "--upstream",
                f"127.0.0.1:{upstream_port}", "--rtt-ms", str(rtt), "--rtt-dist", dist]
        if tls:
            argv += ["--cert", tls[0], "--key", tls[1]]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
        self.line = self.proc.stdout.readline().decode()

    def stop(self):
        self.proc.terminate()
        rc = self.proc.wait(10)
        self.proc.stdout.close()
        return rc


class NetProxy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="netproxy-")
        cls.shim = harness.Server(["dynamo-local-shim", "--port", "{port}"],
                                  env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
        try:
            cls.cert, cls.key, cls.bundle = local_bench.make_ca(cls.tmp)
        except Exception:
            cls.shim.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.shim.stop()

    def list_tables(self, conn):
        conn.request("POST", "/", body=b"{}", headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables", "Authorization": AUTH,
            "Content-Type": "application/x-amz-json-1.0"})
        r = conn.getresponse()
        return r.status, json.loads(r.read())

    def test_plain_requests_pay_the_round_trip_on_one_connection(self):
        p = Proxy(self.shim.port)
        try:
            self.assertIn(f"listening on http://127.0.0.1:{p.port}", p.line)
            conn = http.client.HTTPConnection("127.0.0.1", p.port, timeout=10)
            for _ in range(3):
                t0 = time.monotonic()
                status, doc = self.list_tables(conn)
                took = (time.monotonic() - t0) * 1000
                self.assertEqual(status, 200)
                self.assertIn("TableNames", doc)
                self.assertGreaterEqual(took, RTT_MS * 0.99)
            sock = conn.sock
            self.list_tables(conn)
            self.assertIs(conn.sock, sock, "the connection is kept alive")
            conn.close()
        finally:
            self.assertEqual(p.stop(), 0)

    def test_tls_with_the_runs_ca(self):
        p = Proxy(self.shim.port, (self.cert, self.key))
        try:
            self.assertIn(f"listening on https://127.0.0.1:{p.port}", p.line)
            ctx = ssl.create_default_context(cafile=self.bundle)
            conn = http.client.HTTPSConnection("127.0.0.1", p.port, timeout=10, context=ctx)
            t0 = time.monotonic()
            conn.connect()
            setup = (time.monotonic() - t0) * 1000
            self.assertGreaterEqual(setup, 2 * RTT_MS * 0.99, "TCP + TLS 1.3: two round trips")
            status, doc = self.list_tables(conn)
            self.assertEqual(status, 200)
            conn.close()
            # Without the CA the certificate is refused.
            bare = http.client.HTTPSConnection("127.0.0.1", p.port, timeout=10,
                                               context=ssl.create_default_context())
            with self.assertRaises(ssl.SSLError):
                bare.connect()
            bare.close()
        finally:
            self.assertEqual(p.stop(), 0)

    def test_bad_arguments(self):
        for argv in (["--rtt-dist", "normal"], ["--rtt-ms", "-1"], ["--cert", self.cert],
                     ["--rtt-dist", "uniform", "--rtt-spread", "2"]):
            r = subprocess.run([harness.binary("bench-netproxy"), "--upstream", "127.0.0.1:1",
                                *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
            self.assertEqual(r.returncode, 2, argv)


if __name__ == "__main__":
    unittest.main()
