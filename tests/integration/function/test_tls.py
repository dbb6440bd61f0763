"""The DynamoDB client over TLS: AWS_CA_BUNDLE is honoured (a bundle without
the server's certificate fails verification, one with it works), the
connection is kept alive across invocations, and BENCH_WARM_CONNECTION opens
it during init."""
import json
import os
import shutil
import tempfile
import unittest

import fnharness as fh
import harness


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="fn-tls-")
        cls.cert, cls.key, cls.bundle = fh.make_tls_material(cls.tmp)
        cls.dyn = fh.DynamoBackend.with_table()  # the shim when built: it keeps connections alive

    @classmethod
    def tearDownClass(cls):
        cls.dyn.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.proxy = fh.TlsProxy(self.dyn.port, self.cert, self.key)
        self.api = fh.FakeRuntimeAPI()
        self.fn = None

    def tearDown(self):
        if self.fn:
            self.fn.stop()
        self.api.stop()
        self.proxy.stop()

    def start(self, **env):
        full = dict(fh.CREDS, AWS_ENDPOINT_URL_DYNAMODB=self.proxy.url)
        full.update(env)
        self.fn = fh.Function([harness.binary("bench-function")], self.api, full)

    def body(self, op="get"):
        kind, body, etype = self.api.invoke({"op": op})
        self.assertEqual(kind, "response", body)
        return json.loads(json.loads(body)["body"])

    def test_ca_bundle_is_honoured(self):
        self.start(AWS_CA_BUNDLE=self.bundle)
        b = self.body("put")
        self.assertEqual(b["items_count"], 1)
        self.assertGreater(b["connect_ms"], 0)

    def test_certificate_not_in_bundle_fails(self):
        other = os.path.join(self.tmp, "other.pem")
        system = "/etc/ssl/certs/ca-certificates.crt"
        shutil.copyfile(system if os.path.exists(system) else self.cert, other)
        if not os.path.exists(system):
            self.skipTest("no system CA bundle")
        self.start(AWS_CA_BUNDLE=other)
        kind, body, etype = self.api.invoke({"op": "get"})
        self.assertEqual(kind, "error")
        self.assertEqual(etype, "ConnectionError")
        self.assertIn("certificate", json.loads(body)["errorMessage"].lower())

    def test_warm_connection_during_init(self):
        if self.dyn.kind == "moto":
            self.skipTest("moto_server closes every connection")
        self.start(AWS_CA_BUNDLE=self.bundle, BENCH_WARM_CONNECTION="1")
        first = self.body()
        self.assertEqual(first["connect_ms"], 0)  # opened during init
        self.assertEqual(self.proxy.connections, 1)

    def test_keep_alive_over_tls(self):
        if self.dyn.kind == "moto":
            self.skipTest("moto_server closes every connection")
        self.start(AWS_CA_BUNDLE=self.bundle)
        self.assertGreater(self.body()["connect_ms"], 0)
        for _ in range(5):
            self.assertEqual(self.body()["connect_ms"], 0)
        self.assertEqual(self.proxy.connections, 1)


if __name__ == "__main__":
    unittest.main()
