#!/usr/bin/env python3
"""Local benchmark of the C and Python functions (prints figures, asserts
nothing). On the emulator against the project's dynamo-local-shim (or
moto_server when the shim is not built):

  per op:  sdk_call_ms p50/p99 for C and Python, the C client's own
           build+parse time (µs), Duration p50 from the REPORT lines, and
           how many times faster C's sdk_call is
  once:    Init Duration and Max Memory Used of each function
  TLS:     the first call after a cold start with and without
           BENCH_WARM_CONNECTION, and the cost of a new TLS connection with
           and without libcurl's CA cache (a 145-certificate bundle)

Usage: function/bench/local_bench.py [--bin-dir build/bin] [-n 200]
                                     [--backend shim|moto]"""
import argparse
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "function"))

OPS = ["put", "get", "query", "batch_write", "update", "delete"]
REPORT = re.compile(r"REPORT RequestId: \S+\tDuration: (?P<d>[\d.]+) ms.*?"
                    r"Max Memory Used: (?P<m>\d+) MB(?:\tInit Duration: (?P<i>[\d.]+) ms)?")


def pct(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def report_of(resp):
    tail = base64.b64decode(resp.get("LogResult", "")).decode(errors="replace")
    m = REPORT.search(tail)
    return m


def run_function(lam, name, n):
    """Invokes every op n times; returns per-op lists and the cold REPORT."""
    out = {op: {"sdk": [], "client_us": [], "duration": []} for op in OPS}
    cold = None
    max_mem = 0
    first = True
    for op in ["batch_write"] + OPS:  # the first (cold) call seeds the 25 items
        for i in range(n if op in OPS and not first else 1):
            r = lam.invoke(FunctionName=name, LogType="Tail",
                           Payload=json.dumps({"queryStringParameters": {"op": op}}))
            payload = json.loads(r["Payload"].read())
            if "FunctionError" in r or payload.get("statusCode") != 200:
                raise RuntimeError(f"{name} {op}: {payload}")
            body = json.loads(payload["body"])
            m = report_of(r)
            if m:
                max_mem = max(max_mem, int(m.group("m")))
                if m.group("i") and cold is None:
                    cold = (float(m.group("i")), float(m.group("d")), body["sdk_call_ms"])
            if first:
                first = False
                break
            rec = out[op]
            rec["sdk"].append(body["sdk_call_ms"])
            if "parse_ms" in body:
                rec["client_us"].append((body["serialize_ms"] + body["parse_ms"]) * 1000)
            if m:
                rec["duration"].append(float(m.group("d")))
    return out, cold, max_mem


def emulator_part(args, tmp, dyn):
    import boto3
    import fnharness as fh
    import harness
    zip_c = os.path.join(tmp, "function.zip")
    subprocess.run([os.path.join(ROOT, "function", "package.sh"),
                    os.path.join(args.bin_dir, "bench-function"), zip_c], check=True,
                   stdout=subprocess.DEVNULL)
    zip_py = zip_c[:-4] + "-python.zip"
    emu = harness.Server(["lambda-emulator", "--port", "{port}", "--log-file",
                          os.path.join(tmp, "emulator.log")],
                         env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
    try:
        lam = boto3.client("lambda", endpoint_url=emu.url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")
        env = dict(fh.CREDS, AWS_ENDPOINT_URL_DYNAMODB=dyn.url)
        site = os.path.dirname(os.path.dirname(boto3.__file__))
        results = {}
        for name, z, handler, extra in [("bench-c", zip_c, "bootstrap", {}),
                                        ("bench-python", zip_py, "lambda_function.lambda_handler",
                                         {"PYTHONPATH": site})]:
            with open(z, "rb") as f:
                code = f.read()
            lam.create_function(FunctionName=name, Runtime="provided.al2023", Handler=handler,
                                Role="arn:aws:iam::123456789012:role/bench",
                                Code={"ZipFile": code}, MemorySize=args.memory, Timeout=30,
                                Environment={"Variables": dict(env, **extra)})
            results[name] = run_function(lam, name, args.n)
    except Exception:
        with open(os.path.join(tmp, "emulator.log"), errors="replace") as f:
            print("emulator log tail:\n" + f.read()[-3000:], file=sys.stderr)
        raise
    finally:
        emu.stop()

    c, py = results["bench-c"], results["bench-python"]
    print(f"\nPer op, {args.n} warm invocations each, on lambda-emulator against {dyn.kind}"
          f", MemorySize {args.memory} MB"
          f" (sdk_call and Duration in ms; client = C's JSON build+parse in µs):")
    print(f"{'op':<12} {'C p50':>8} {'C p99':>8} {'client':>8} {'C Dur':>7} "
          f"{'Py p50':>8} {'Py p99':>8} {'Py Dur':>7} {'Py/C':>6}")
    for op in OPS:
        a, b = c[0][op], py[0][op]
        ratio = statistics.median(b["sdk"]) / max(statistics.median(a["sdk"]), 1e-9)
        print(f"{op:<12} {pct(a['sdk'], 50):8.3f} {pct(a['sdk'], 99):8.3f} "
              f"{pct(a['client_us'], 50):8.1f} {pct(a['duration'], 50):7.2f} "
              f"{pct(b['sdk'], 50):8.3f} {pct(b['sdk'], 99):8.3f} {pct(b['duration'], 50):7.2f} "
              f"{ratio:5.1f}x")
    for name, (_, cold, mem) in (("C", c), ("Python", py)):
        if cold:
            print(f"{name}: Init Duration {cold[0]:.2f} ms; first Duration {cold[1]:.2f} ms "
                  f"(sdk_call {cold[2]:.3f} ms); Max Memory Used {mem} MB")
        else:
            print(f"{name}: no Init Duration in the REPORT lines; Max Memory Used {mem} MB")


def tls_part(args, tmp, dyn_kind):
    import fnharness as fh
    cert, key, bundle = fh.make_tls_material(tmp)
    print("\nTLS (bench-function on a fake Runtime API, TLS proxy in front of the server, "
          "AWS_CA_BUNDLE = system bundle + test cert):")

    def first_calls(backend, extra, runs):
        firsts, seconds = [], []
        for _ in range(runs):
            proxy = fh.TlsProxy(backend.port, cert, key)
            api = fh.FakeRuntimeAPI()
            fn = fh.Function([os.path.join(args.bin_dir, "bench-function")], api,
                             dict(fh.CREDS, AWS_ENDPOINT_URL_DYNAMODB=proxy.url,
                                  AWS_CA_BUNDLE=bundle, **extra))
            try:
                for lst in (firsts, seconds):
                    kind, body, _ = api.invoke({"op": "get"})
                    b = json.loads(json.loads(body)["body"])
                    lst.append((b["sdk_call_ms"], b["connect_ms"]))
            finally:
                fn.stop()
                api.stop()
                proxy.stop()
        return firsts, seconds

    keep = fh.DynamoBackend(dyn_kind)
    try:
        keep.create_table()
        for label, extra in (("cold, no warming", {}), ("cold, BENCH_WARM_CONNECTION=1",
                                                        {"BENCH_WARM_CONNECTION": "1"})):
            f, s = first_calls(keep, extra, 5)
            print(f"  {label:<32} 1st call sdk_call p50 {pct([x[0] for x in f], 50):7.3f} ms "
                  f"(connect {pct([x[1] for x in f], 50):6.3f} ms); 2nd call "
                  f"{pct([x[0] for x in s], 50):7.3f} ms")
    finally:
        keep.stop()

    # moto_server closes every connection: each call pays a new TLS connection.
    closing = fh.DynamoBackend("moto")
    try:
        closing.create_table()
        for label, extra in (("CA cache on (default)", {}),
                             ("CA cache off", {"BENCH_NO_CA_CACHE": "1"})):
            proxy = fh.TlsProxy(closing.port, cert, key)
            api = fh.FakeRuntimeAPI()
            fn = fh.Function([os.path.join(args.bin_dir, "bench-function")], api,
                             dict(fh.CREDS, AWS_ENDPOINT_URL_DYNAMODB=proxy.url,
                                  AWS_CA_BUNDLE=bundle, **extra))
            try:
                conns = []
                for i in range(21):
                    kind, body, _ = api.invoke({"op": "get"})
                    b = json.loads(json.loads(body)["body"])
                    if i:
                        conns.append(b["connect_ms"])
            finally:
                fn.stop()
                api.stop()
                proxy.stop()
            print(f"  new TLS connection, {label:<22} connect p50 {pct(conns, 50):7.3f} ms, "
                  f"p99 {pct(conns, 99):7.3f} ms (20 connections)")
    finally:
        closing.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--backend", default=None)
    ap.add_argument("--skip-emulator", action="store_true")
    ap.add_argument("--memory", type=int, default=128, help="MemorySize of both functions")
    ap.add_argument("--ops", default=",".join(OPS), help="comma-separated subset of the ops")
    args = ap.parse_args()
    args.bin_dir = os.path.abspath(args.bin_dir)
    OPS[:] = [op for op in args.ops.split(",") if op]
    os.environ["BIN_DIR"] = args.bin_dir
    import fnharness as fh
    import harness
    harness.BIN_DIR = args.bin_dir
    kind = args.backend or fh.backend_kind()
    tmp = tempfile.mkdtemp(prefix="fn-bench-")
    dyn = fh.DynamoBackend(kind)
    try:
        dyn.create_table()
        if not args.skip_emulator:
            emulator_part(args, tmp, dyn)
    finally:
        dyn.stop()
    try:
        tls_part(args, tmp, kind)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
