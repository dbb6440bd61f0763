"""What the shim's client tests share: dummy credentials set before boto3
loads, the target (the built shim, or DDB_ENDPOINT with DDB_REFERENCE), a
client that never retries (a retry would hide a 5xx, a bad crc32 or a
dropped connection), a checked stop of the server, and a test case base that
starts the target once per class and deletes each test's tables."""
import os
import shutil
import tempfile
import unittest

# Dummy credentials and region for both clients, set before boto3 loads.
os.environ.update({
    "AWS_ACCESS_KEY_ID": "AKIDSHIMTEST",
    "AWS_SECRET_ACCESS_KEY": "shim-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
})
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_SESSION_TOKEN", None)

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

import harness  # noqa: E402

REFERENCE = os.environ.get("DDB_REFERENCE", "")
ENDPOINT = os.environ.get("DDB_ENDPOINT")


def make_client(endpoint):
    return boto3.client("dynamodb", endpoint_url=endpoint,
                        config=Config(retries={"max_attempts": 1, "mode": "standard"},
                                      read_timeout=60))


def stop_checked(srv):
    """Stops a server; fails with its output if it died or exited badly."""
    died = srv.proc.poll() is not None
    out = srv.stop()
    if died or srv.proc.returncode not in (0, -15):
        raise AssertionError(f"dynamo-local-shim exited with {srv.proc.returncode}; "
                             f"its output ends:\n{out[-3000:]}")


class ShimTestCase(unittest.TestCase):
    """The target started once per class (unless DDB_ENDPOINT names one), a
    client in cls.ddb, a scratch folder in cls.tmpdir, and every table a test
    lists in self.tables deleted after it."""
    server = None
    tmpdir = None

    @classmethod
    def setUpClass(cls):
        cls.tmpdir = tempfile.mkdtemp(prefix="shim-clients-")
        if ENDPOINT:
            cls.endpoint = ENDPOINT
        else:
            cls.server = harness.Server(["dynamo-local-shim", "--port", "{port}"])
            cls.endpoint = cls.server.url
        cls.ddb = make_client(cls.endpoint)

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            stop_checked(cls.server)
        shutil.rmtree(cls.tmpdir, ignore_errors=True)

    def setUp(self):
        self.tables = []

    def tearDown(self):
        for name in self.tables:
            try:
                self.ddb.delete_table(TableName=name)
            except ClientError:
                pass
