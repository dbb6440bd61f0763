#!/usr/bin/env python3
"""Load and soak: a bounded mixed load through the whole path — client ->
lambda-emulator -> the C bench function -> dynamo-local-shim — at a given
concurrency, for a given time. Prints its figures and fails (exit 1) on any
error, any lost or duplicated response, or (in a full run) an RSS that does
not stay flat within 10 % between the first and the last tenth of the run.

Usage: soak.py [--bin-dir build/bin] [--seconds 60] [--concurrency 8] [--no-rss-check] [--memory MB]
Everything it starts listens on 127.0.0.1 and is stopped at the end."""
import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

OPS = ["get", "put", "query", "update", "batch_write", "delete"]
TABLE = "lambda-rust-bench"


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def median_of(samples):
    return statistics.median(samples) if samples else 0


class Worker(threading.Thread):
    def __init__(self, port, deadline, seed):
        super().__init__(daemon=True)
        self.port, self.deadline = port, deadline
        self.rng = random.Random(seed)
        self.sent = 0
        self.latencies = []
        self.request_ids = []
        self.errors = []

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.monotonic() < self.deadline:
            op = self.rng.choice(OPS)
            payload = json.dumps({"queryStringParameters": {"op": op}}).encode()
            self.sent += 1
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/2015-03-31/functions/bench/invocations", body=payload)
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException) as e:
                self.errors.append(f"{op}: {e!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            self.latencies.append((time.perf_counter() - t0) * 1000)
            rid = resp.getheader("x-amzn-RequestId")
            if rid:
                self.request_ids.append(rid)
            if resp.status != 200 or resp.getheader("X-Amz-Function-Error"):
                self.errors.append(f"{op}: HTTP {resp.status} {body[:200]!r}")
                continue
            try:
                out = json.loads(body)
                inner = json.loads(out["body"])
                if out.get("statusCode") != 200 or inner.get("operation") != op:
                    self.errors.append(f"{op}: unexpected answer {body[:200]!r}")
            except (ValueError, KeyError, TypeError):
                self.errors.append(f"{op}: unreadable answer {body[:200]!r}")
        conn.close()


def make_zip(bin_dir, workdir):
    path = os.path.join(workdir, "function.zip")
    with zipfile.ZipFile(path, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        with open(os.path.join(bin_dir, "bench-function"), "rb") as f:
            z.writestr(info, f.read())
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=os.environ.get("BIN_DIR", harness.BIN_DIR))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--no-rss-check", action="store_true")
    ap.add_argument("--memory", type=int, default=128, help="the function's MemorySize (128)")
    args = ap.parse_args()
    harness.BIN_DIR = os.path.abspath(args.bin_dir)
    import boto3

    workdir = tempfile.mkdtemp(prefix="soak-")
    shim = emu = None
    ok = True
    try:
        shim = harness.Server(["dynamo-local-shim", "--port", "{port}"])
        emu = harness.Server(["lambda-emulator", "--port", "{port}", "--max-concurrency",
                              str(args.concurrency), "--log-file",
                              os.path.join(workdir, "functions.log"),
                              "--state-dir", os.path.join(workdir, "state")],
                             health_path="/2015-03-31/functions")
        creds = dict(region_name="us-east-1", aws_access_key_id="local",
                     aws_secret_access_key="local")
        ddb = boto3.client("dynamodb", endpoint_url=shim.url, **creds)
        ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                               {"AttributeName": "sk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                    {"AttributeName": "sk", "KeyType": "RANGE"}])
        lam = boto3.client("lambda", endpoint_url=emu.url, **creds)
        with open(make_zip(harness.BIN_DIR, workdir), "rb") as f:
            lam.create_function(
                FunctionName="bench", Runtime="provided.al2023", Handler="bootstrap",
                Role="arn:aws:iam::000000000000:role/bench", Code={"ZipFile": f.read()},
                MemorySize=args.memory, Timeout=30,
                Environment={"Variables": {"AWS_ENDPOINT_URL_DYNAMODB": shim.url,
                                           "TABLE_NAME": TABLE}})

        start = time.monotonic()
        deadline = start + args.seconds
        workers = [Worker(emu.port, deadline, i) for i in range(args.concurrency)]
        samples = []  # (elapsed, emulator KB, shim KB)
        for w in workers:
            w.start()
        while any(w.is_alive() for w in workers):
            samples.append((time.monotonic() - start, rss_kb(emu.proc.pid),
                            rss_kb(shim.proc.pid)))
            time.sleep(0.5)
        for w in workers:
            w.join()
        elapsed = time.monotonic() - start

        sent = sum(w.sent for w in workers)
        answered = sum(len(w.latencies) for w in workers)
        errors = [e for w in workers for e in w.errors]
        ids = [r for w in workers for r in w.request_ids]
        dups = len(ids) - len(set(ids))
        lat = sorted(x for w in workers for x in w.latencies)
        tenth = max(args.seconds / 10, 0.5)
        first = [s for s in samples if s[0] <= tenth]
        last = [s for s in samples if s[0] >= elapsed - tenth]

        print(f"soak: {args.seconds:.0f} s at concurrency {args.concurrency}, mixed ops "
              f"{', '.join(OPS)}, client -> lambda-emulator -> bench-function -> dynamo-local-shim")
        print(f"  invocations: {sent} sent, {answered} answered, {len(errors)} errors, "
              f"{sent - answered} lost, {dups} duplicated request ids; "
              f"{answered / elapsed:.0f} invokes/s")
        if lat:
            print(f"  round trip: p50 {lat[len(lat) // 2]:.2f} ms, "
                  f"p99 {lat[min(len(lat) - 1, int(len(lat) * 0.99))]:.2f} ms")
        for name, idx in (("lambda-emulator", 1), ("dynamo-local-shim", 2)):
            a = median_of([s[idx] for s in first if s[idx]])
            b = median_of([s[idx] for s in last if s[idx]])
            change = (b - a) / a * 100 if a else 0
            print(f"  {name} RSS: {a / 1024:.1f} MB in the first tenth, {b / 1024:.1f} MB in the "
                  f"last ({change:+.1f} %)")
            if not args.no_rss_check and abs(change) > 10:
                print(f"  FAIL: {name} RSS moved more than 10 %")
                ok = False
        for e in errors[:10]:
            print("  error:", e)
        if errors or sent != answered or dups or not answered:
            ok = False
        print("soak: " + ("ok" if ok else "FAILED"))
    finally:
        for s in (emu, shim):
            if s:
                s.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
