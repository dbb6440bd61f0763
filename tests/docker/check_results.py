#!/usr/bin/env python3
"""Checks the results folder the compose bench wrote: lambda-bench.json with
the shape bench/README.md documents and the counts asked for, every
invocation carrying REPORT figures and the function's own sdk_call_ms, cold
starts confirmed by an Init Duration, plus the markdown and SVG reports.
Usage: check_results.py DIR --cold N --warm M [--python] [--function PATH]"""
import argparse
import json
import os
import re
import sys

OPS = ["put", "get", "query", "batch_write", "update", "delete"]


def fail(msg):
    print(f"check_results: {msg}", file=sys.stderr)
    sys.exit(1)


def check_invocation(where, inv, cold):
    for key in ("request_id", "duration_ms", "billed_ms", "max_memory_mb", "sdk_call_ms"):
        if not isinstance(inv.get(key), (int, float, str)) or inv.get(key) in ("", None):
            fail(f"{where}: {key} missing in {inv}")
    if inv["duration_ms"] <= 0 or inv["billed_ms"] < 1 or inv["max_memory_mb"] <= 0:
        fail(f"{where}: implausible REPORT figures {inv}")
    if inv["sdk_call_ms"] < 0:
        fail(f"{where}: sdk_call_ms {inv['sdk_call_ms']}")
    if cold and not (inv.get("init_ms") or 0) > 0:
        fail(f"{where}: a cold start without Init Duration: {inv}")
    if not cold and inv.get("init_ms") is not None:
        fail(f"{where}: a warm invocation with Init Duration: {inv}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--cold", type=int, required=True)
    ap.add_argument("--warm", type=int, required=True)
    ap.add_argument("--python", action="store_true")
    ap.add_argument("--function", default="/opt/lambda-bench/function.zip",
                    help="the BENCH_FUNCTION the run must name in its labels")
    a = ap.parse_args()
    for name in ("lambda-bench.json", "lambda-bench.md", "lambda-bench.svg"):
        path = os.path.join(a.dir, name)
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            fail(f"{path} is missing or empty")
    with open(os.path.join(a.dir, "lambda-bench.json")) as f:
        doc = json.load(f)
    if doc.get("schema") != "lambda-bench/1":
        fail(f"schema is {doc.get('schema')!r}")
    if not doc["target"]["endpoint"].startswith("http://emulator:8080"):
        fail(f"target endpoint {doc['target']['endpoint']!r}, not the compose service")
    if not any("docker compose" in v for v in doc.get("labels", {}).values()):
        fail(f"labels {doc.get('labels')} do not say where the run happened")
    if doc["labels"].get("function") != a.function:
        fail(f"label function={doc['labels'].get('function')!r}, expected {a.function!r}")
    want = ["c"] + (["python"] if a.python else [])
    if sorted(doc["functions"]) != sorted(want):
        fail(f"functions {sorted(doc['functions'])}, expected {want}")
    for fn in want:
        f = doc["functions"][fn]
        sets = ["as_deployed"] + (["warm_connection"] if fn == "c" else [])
        for s in sets:
            runs = f["cold_starts"][s]["runs"]
            if len(runs) != a.cold:
                fail(f"{fn} {s}: {len(runs)} cold starts, expected {a.cold}")
            for i, run in enumerate(runs):
                check_invocation(f"{fn} {s} run {i} first", run["first"], True)
                check_invocation(f"{fn} {s} run {i} second", run["second"], False)
        if list(f["warm"]) != OPS:
            fail(f"{fn}: warm ops {list(f['warm'])}")
        for op in OPS:
            invs = f["warm"][op]["invocations"]
            if len(invs) != a.warm:
                fail(f"{fn} {op}: {len(invs)} warm invocations, expected {a.warm}")
            for i, inv in enumerate(invs):
                check_invocation(f"{fn} {op} #{i}", inv, False)
            if op in ("get", "query") and invs[-1]["items_count"] < 1:
                fail(f"{fn} {op}: no items found ({invs[-1]})")
    with open(os.path.join(a.dir, "lambda-bench.md")) as f:
        md = f.read()
    if not md.startswith("# lambda-bench report"):
        fail("lambda-bench.md does not open with its title")
    for op in OPS:  # the warm table has a row per op
        if not re.search(r"^\| *`?" + op + r"\b", md, re.M):
            fail(f"lambda-bench.md has no row for {op}")
    with open(os.path.join(a.dir, "lambda-bench.svg")) as f:
        if "<svg" not in f.read(4096):
            fail("lambda-bench.svg is not an SVG")
    print(f"check_results: {a.dir}: {', '.join(want)} function(s), {a.cold} cold start(s), "
          f"{a.warm} warm invokes x {len(OPS)} ops: ok", file=sys.stderr)


if __name__ == "__main__":
    main()
