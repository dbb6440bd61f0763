"""Request -> expected-response cases for dynamo-local-shim.

Each file in tests/cases/shim/*.json is one case: a list of steps (setup
requests, then the request under test), each sent as a signed DynamoDB JSON
protocol request and checked against its expected status and body. Every
response is also checked for a correct x-amz-crc32 (zlib crc32 of the body)
and a non-empty x-amzn-RequestId. The case format is described in
tests/cases/shim/README.md.

Targets:
  default            starts BIN_DIR/dynamo-local-shim on a free loopback port
  DDB_ENDPOINT=URL   uses a running server instead (e.g. DynamoDB Local in a
                     private network namespace); with DDB_REFERENCE=dynamodb-local
                     the steps' "expect_local" answers replace "expect", for the
                     few places where DynamoDB Local knowingly differs from AWS.

Modes (for writing cases):
  test_cases.py --record CASE...   fill in each step that has no "expect" with
                                   what DDB_ENDPOINT answered (review afterwards)
  test_cases.py --show CASE...     print every answer next to its expectation
                                   (DDB_ENDPOINT, or the built shim)
"""
import datetime
import glob
import http.client
import json
import os
import re
import subprocess
import sys
import unittest
import urllib.parse
import zlib

import harness

CASE_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         "..", "..", "cases", "shim"))
TARGET_PREFIX = "DynamoDB_20120810."
REFERENCE = os.environ.get("DDB_REFERENCE", "")

# Fields that differ on every run or between servers; recording writes a
# matcher for them instead of the value.
VOLATILE = {
    "CreationDateTime": {"$type": "number"},
    "LastUpdateToPayPerRequestDateTime": {"$type": "number"},
    "TableId": {"$regex": "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"},
}


ARN_PREFIX = r"arn:aws:dynamodb:[a-z0-9-]+:[0-9]{12}:table/"

# Present in one server's answers and not the other's: optional ("name?").
OPTIONAL_VOLATILE = {
    "LastIncreaseDateTime": {"$type": "number"},
    "LastDecreaseDateTime": {"$type": "number"},
}


def load_case(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def expand(value):
    """Builds request bodies that are too big to keep literally in a case:
    {"$repeat": "x", "times": N} becomes the string "x" * N."""
    if isinstance(value, dict):
        if set(value) == {"$repeat", "times"}:
            return value["$repeat"] * value["times"]
        return {k: expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v) for v in value]
    return value


def sign(method, url, headers, body):
    """Signs with SigV4 and dummy credentials, as the SDKs do (DynamoDB Local
    rejects unsigned requests; the shim must accept signed ones)."""
    try:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
    except ImportError:  # the shim does not verify signatures: a well-formed header will do
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        return dict(headers, **{
            "X-Amz-Date": now,
            "Authorization": (f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{now[:8]}/us-east-1/"
                              "dynamodb/aws4_request, SignedHeaders=host;x-amz-date, "
                              "Signature=" + "0" * 64)})
    req = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "dynamodb", "us-east-1").add_auth(req)
    return dict(req.headers.items())


class Client:
    def __init__(self, endpoint):
        u = urllib.parse.urlsplit(endpoint)
        self.endpoint = endpoint.rstrip("/") + "/"
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, step):
        """Sends one step; returns (status, headers dict lower-cased, raw body)."""
        if "raw_body" in step:
            body = step["raw_body"].encode("utf-8")
        else:
            body = json.dumps(expand(step.get("body", {})), separators=(",", ":")).encode()
        headers = {"Content-Type": step.get("content_type", "application/x-amz-json-1.0")}
        if "op" in step:
            headers["X-Amz-Target"] = TARGET_PREFIX + step["op"]
        elif step.get("target") is not None:
            headers["X-Amz-Target"] = step["target"]
        if step.get("content_type", "") is None:
            del headers["Content-Type"]
        headers = sign("POST", self.endpoint, headers, body)
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request("POST", "/", body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                hdrs = {k.lower(): v for k, v in resp.getheaders()}
                if hdrs.get("connection", "").lower() == "close":
                    self.close()
                return resp.status, hdrs, data
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def call(self, op, body):
        status, _, data = self.send({"op": op, "body": body})
        return status, json.loads(data) if data else None

    def delete_all_tables(self):
        start = None
        while True:
            body = {"ExclusiveStartTableName": start} if start else {}
            status, out = self.call("ListTables", body)
            if status != 200:
                raise AssertionError(f"ListTables answered {status}: {out}")
            for name in out.get("TableNames", []):
                self.call("DeleteTable", {"TableName": name})
            start = out.get("LastEvaluatedTableName")
            if not start:
                return


def match(expected, actual, path="$"):
    """Returns None when actual matches expected, else a message naming the
    first difference. Matchers inside expected: {"$type": "number"|"string"},
    {"$regex": re} (full match), {"$any": true}, {"$unordered": [...]}; an
    object key ending in "?" may be absent. Numbers compare by value."""
    if isinstance(expected, dict) and len(expected) == 1 and next(iter(expected)).startswith("$"):
        kind, arg = next(iter(expected.items()))
        if kind == "$any":
            return None
        if kind == "$type":
            ok = {"number": (int, float), "string": str, "object": dict, "list": list}[arg]
            if isinstance(actual, ok) and not isinstance(actual, bool):
                return None
            return f"{path}: expected a {arg}, got {actual!r}"
        if kind == "$regex":
            if isinstance(actual, str) and re.fullmatch(arg, actual):
                return None
            return f"{path}: {actual!r} does not match /{arg}/"
        if kind == "$unordered":
            if not isinstance(actual, list) or len(actual) != len(arg):
                return f"{path}: expected {len(arg)} elements in any order, got {actual!r}"
            left = list(actual)
            for i, e in enumerate(arg):
                for j, a in enumerate(left):
                    if match(e, a, path) is None:
                        del left[j]
                        break
                else:
                    return f"{path}: no element matches {e!r} among {left!r}"
            return None
        raise AssertionError(f"unknown matcher {kind}")
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {actual!r}"
        optional = {k[:-1] for k in expected if k.endswith("?")}
        required = {k for k in expected if not k.endswith("?")}
        missing = sorted(required - set(actual))
        extra = sorted(set(actual) - required - optional)
        if missing or extra:
            return f"{path}: missing keys {missing}, unexpected keys {extra}"
        for k, e in expected.items():
            name = k[:-1] if k.endswith("?") else k
            if name not in actual:
                continue
            err = match(e, actual[name], f"{path}.{name}")
            if err:
                return err
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: expected {expected!r}, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            err = match(e, a, f"{path}[{i}]")
            if err:
                return err
        return None
    if _is_number(expected) and _is_number(actual):
        # JSON does not tell 1 from 1.0; DynamoDB prints CapacityUnits as 1.0.
        if expected == actual:
            return None
        return f"{path}: expected {expected!r}, got {actual!r}"
    if type(expected) is not type(actual) or expected != actual:
        return f"{path}: expected {expected!r}, got {actual!r}"
    return None


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def normalize_local(body):
    """DynamoDB Local spells the error message member "Message" on every error;
    AWS spells it "message" except for the com.amazon.coral.service errors
    (SerializationException ...). Cases hold AWS's spelling; against DynamoDB
    Local the member is renamed so that the rest of the body is still compared."""
    if (isinstance(body, dict) and "Message" in body and "message" not in body
            and not str(body.get("__type", "")).startswith("com.amazon.coral.service#")):
        body = dict(body)
        body["message"] = body.pop("Message")
    return body


def expectation(step):
    if REFERENCE == "dynamodb-local" and "expect_local" in step:
        return step["expect_local"]
    return step.get("expect")


def check_framing(status, headers, data):
    """What every DynamoDB response carries, errors included."""
    crc = headers.get("x-amz-crc32")
    if crc is None:
        # AWS signs errors too; DynamoDB Local sends the header on 200s only.
        if REFERENCE == "dynamodb-local" and status != 200:
            crc = str(zlib.crc32(data))
        else:
            return "no x-amz-crc32 header"
    if int(crc) != zlib.crc32(data):
        return f"x-amz-crc32 {crc} but the body's crc32 is {zlib.crc32(data)}"
    if not headers.get("x-amzn-requestid"):
        return "no x-amzn-RequestId header"
    if data and not headers.get("content-type", "").startswith("application/x-amz-json-1.0"):
        return f"content-type {headers.get('content-type')!r}"
    return None


def run_case(client, case, name):
    """Runs one case; returns a list of failure messages (empty when it passes)."""
    client.delete_all_tables()
    failures = []
    for i, step in enumerate(case["steps"]):
        what = f"{name} step {i} ({step.get('op', step.get('target'))})"
        status, headers, data = client.send(step)
        err = check_framing(status, headers, data)
        if err:
            failures.append(f"{what}: {err}")
        exp = expectation(step)
        if exp is None:
            failures.append(f"{what}: no expectation (record the case first)")
            continue
        try:
            body = json.loads(data) if data else None
        except ValueError:
            failures.append(f"{what}: body is not JSON: {data[:200]!r}")
            continue
        if status != exp["status"]:
            failures.append(f"{what}: status {status}, expected {exp['status']}; "
                            f"body {data[:300]!r}")
            continue
        if REFERENCE == "dynamodb-local":
            body = normalize_local(body)
        if "body" in exp:
            err = match(exp["body"], body)
            if err:
                failures.append(f"{what}: {err}\n  got {data[:600]!r}")
    return failures


def volatile(body):
    """Turns a recorded answer into an expectation: run-dependent values become
    matchers, members AWS adds to a TableDescription and DynamoDB Local does
    not become optional, set members become unordered, and the error member is
    spelled as AWS spells it."""
    if isinstance(body, dict):
        body = normalize_local(body)
        out = {}
        for k, v in body.items():
            if k in OPTIONAL_VOLATILE and not isinstance(v, dict):
                out[k + "?"] = OPTIONAL_VOLATILE[k]
            elif k in VOLATILE and not isinstance(v, dict):
                out[k] = VOLATILE[k]
            elif k == "TableArn" and isinstance(v, str):
                name = v.rsplit("/", 1)[-1]
                out[k] = {"$regex": ARN_PREFIX + re.escape(name)}
            elif k in ("SS", "NS", "BS") and isinstance(v, list) and len(v) > 1:
                out[k] = {"$unordered": v}
            else:
                out[k] = volatile(v)
        for k in ("TableDescription", "Table"):
            if isinstance(out.get(k), dict) and "TableName" in out[k]:
                out[k].setdefault("TableId?", VOLATILE["TableId"])
                out[k].setdefault("WarmThroughput?", {"$any": True})
        return out
    if isinstance(body, list):
        return [volatile(v) for v in body]
    return body


def record(client, paths, show_only):
    for path in paths:
        case = load_case(path)
        client.delete_all_tables()
        changed = False
        print(f"== {os.path.basename(path)}")
        for i, step in enumerate(case["steps"]):
            status, headers, data = client.send(step)
            try:
                body = json.loads(data) if data else None
            except ValueError:
                body = data.decode(errors="replace")
            short = json.dumps(body)
            print(f"  [{i}] {step.get('op', step.get('target'))} -> {status} "
                  f"{short[:400]}{'...' if len(short) > 400 else ''}")
            if show_only:
                exp = expectation(step)
                if exp is not None:
                    err = None
                    if status != exp["status"]:
                        err = f"status {status} != {exp['status']}"
                    elif "body" in exp:
                        if REFERENCE == "dynamodb-local":
                            body = normalize_local(body)
                        err = match(exp["body"], body)
                    print(f"      {'OK' if not err else 'MISMATCH: ' + err}")
            elif "expect" not in step:
                step["expect"] = {"status": status, "body": volatile(body)}
                changed = True
        if changed:
            with open(path, "w", encoding="utf-8") as f:
                json.dump(case, f, indent=2, ensure_ascii=False)
                f.write("\n")


class Target:
    server = None
    client = None

    @classmethod
    def start(cls):
        if cls.client is not None:
            return cls.client
        endpoint = os.environ.get("DDB_ENDPOINT")
        if not endpoint:
            cls.server = harness.Server(["dynamo-local-shim", "--port", "{port}"])
            endpoint = cls.server.url
        cls.client = Client(endpoint)
        return cls.client

    @classmethod
    def restart_if_dead(cls):
        """A crash in one case must not fail every later one: returns the dead
        server's output (for the failing case's message) and starts a new one."""
        if cls.server is None:
            return None
        try:
            cls.server.proc.wait(2)  # a dying server may still be exiting
        except subprocess.TimeoutExpired:
            return None
        code = cls.server.proc.returncode
        out = cls.server.stop()
        cls.client.close()
        cls.server = harness.Server(["dynamo-local-shim", "--port", "{port}"])
        cls.client.__init__(cls.server.url)
        return f"dynamo-local-shim exited with {code}; its output ends:\n{out[-3000:]}"

    @classmethod
    def stop(cls):
        if cls.client is not None:
            cls.client.close()
        if cls.server is not None:
            out = cls.server.stop()
            if cls.server.proc.returncode not in (0, -15):
                print(f"dynamo-local-shim exited with {cls.server.proc.returncode}:\n{out}",
                      file=sys.stderr)


class CaseTests(unittest.TestCase):
    """One test method per case file, named after the file."""

    @classmethod
    def setUpClass(cls):
        cls.client = Target.start()

    @classmethod
    def tearDownClass(cls):
        Target.stop()


def _make_test(path):
    def test(self):
        case = load_case(path)
        try:
            failures = run_case(self.client, case, os.path.basename(path))
        except OSError as e:
            died = Target.restart_if_dead()
            if died is None:
                raise
            self.fail(f"{e}\n{died}")
        if failures:
            self.fail("\n".join(failures) + "\n  case: " + case.get("description", ""))
    return test


CASE_FILES = sorted(glob.glob(os.path.join(CASE_DIR, "*.json")))
for _path in CASE_FILES:
    _name = "test_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(_path))[0])
    setattr(CaseTests, _name, _make_test(_path))


class CaseFilesTests(unittest.TestCase):
    """The case files themselves: well formed, and each one tests something."""

    def test_cases_are_well_formed(self):
        self.assertGreater(len(CASE_FILES), 0, "no case files found in " + CASE_DIR)
        for path in CASE_FILES:
            case = load_case(path)
            name = os.path.basename(path)
            self.assertIn("description", case, name)
            self.assertTrue(case.get("steps"), name)
            for i, step in enumerate(case["steps"]):
                self.assertIn("expect", step, f"{name} step {i}")
                self.assertIn("status", step["expect"], f"{name} step {i}")
            self.assertIn("body", case["steps"][-1]["expect"],
                          f"{name}: the request under test must have an expected body")


class CaseShapeTests(unittest.TestCase):
    """Every member named in an expected 200 body exists in botocore's model
    of that operation's output: the cases invent no fields."""

    def test_expected_bodies_fit_botocore_shapes(self):
        try:
            import botocore.session
        except ImportError:
            self.skipTest("botocore is not installed")
        model = botocore.session.get_session().get_service_model("dynamodb")
        checked = 0
        for path in CASE_FILES:
            for i, step in enumerate(load_case(path)["steps"]):
                for exp in (step.get("expect"), step.get("expect_local")):
                    if not exp or exp["status"] != 200 or "body" not in exp or "op" not in step:
                        continue
                    shape = model.operation_model(step["op"]).output_shape
                    err = _fits(exp["body"], shape, "$")
                    self.assertIsNone(err, f"{os.path.basename(path)} step {i}: {err}")
                    checked += 1
        self.assertGreater(checked, 50)


def _fits(value, shape, path):
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith("$"):
        kind, arg = next(iter(value.items()))
        if kind == "$unordered" and shape.type_name == "list":
            return next((e for e in (_fits(v, shape.member, path) for v in arg) if e), None)
        return None  # other matchers stand for any value
    if shape.type_name == "structure":
        if not isinstance(value, dict):
            return f"{path}: {shape.name} is a structure"
        for key, v in value.items():
            name = key[:-1] if key.endswith("?") else key
            if name not in shape.members:
                return f"{path}: {shape.name} has no member {name}"
            err = _fits(v, shape.members[name], f"{path}.{name}")
            if err:
                return err
    elif shape.type_name == "map":
        for key, v in value.items():
            err = _fits(v, shape.value, f"{path}.{key}")
            if err:
                return err
    elif shape.type_name == "list":
        for j, v in enumerate(value):
            err = _fits(v, shape.member, f"{path}[{j}]")
            if err:
                return err
    return None


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("--record", "--show"):
        files = [p if os.path.exists(p) else os.path.join(CASE_DIR, p) for p in sys.argv[2:]]
        files = files or CASE_FILES
        if sys.argv[1] == "--record" and not os.environ.get("DDB_ENDPOINT"):
            sys.exit("--record needs DDB_ENDPOINT (the reference server to record from)")
        c = Target.start()  # --show without DDB_ENDPOINT shows the built shim's answers
        try:
            record(c, files, sys.argv[1] == "--show")
        finally:
            Target.stop()
        sys.exit(0)
    unittest.main(verbosity=2)
