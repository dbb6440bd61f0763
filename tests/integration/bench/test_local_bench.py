"""The short mode of `make local-bench` (bench/local/local_bench.py --short):
every table cell is filled, every REPORT figure in the JSON is the one the
emulator logged for that request id, the JSON has its documented shape
(bench/README.md, "lambda-bench/1"), the SVG is a chart, and no process is
left behind, also after Ctrl-C."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

import harness

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
SCRIPT = os.path.join(ROOT, "bench", "local", "local_bench.py")
OPS = ["put", "get", "query", "batch_write", "update", "delete"]
REPORT = re.compile(r"REPORT RequestId: (\S+)\tDuration: ([\d.]+) ms\tBilled Duration: (\d+) ms\t"
                    r"Memory Size: (\d+) MB\tMax Memory Used: (\d+) MB(?:\tInit Duration: "
                    r"([\d.]+) ms)?")


def has_boto3():
    try:
        import boto3  # noqa: F401
        return True
    except ImportError:
        return False


def leftovers(folder):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if folder in cmd or cwd.startswith(folder):
            found.append(f"{pid}: {cmd}")
    return found


# ---- the documented JSON shape ----
SUMMARY_KEYS = {"count", "min", "p50", "p90", "p99", "max", "mean"}
INVOCATION_KEYS = {"request_id": str, "duration_ms": float, "billed_ms": float,
                   "max_memory_mb": float, "init_ms": (float, type(None)),
                   "sdk_call_ms": float, "serialize_ms": (float, type(None)),
                   "connect_ms": (float, type(None)), "client_ms": float, "items_count": float}


def check_type(test, value, kind, where):
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    test.assertIsInstance(value, kinds, where)


def check_summary(test, s, where):
    test.assertEqual(set(s), SUMMARY_KEYS, where)
    for k in SUMMARY_KEYS:
        check_type(test, s[k], float, f"{where}.{k}")
    test.assertTrue(s["min"] <= s["p50"] <= s["p90"] <= s["p99"] <= s["max"], where)
    test.assertGreaterEqual(s["count"], 1, where)


def check_invocation(test, inv, where):
    test.assertEqual(set(inv), set(INVOCATION_KEYS), where)
    for k, kind in INVOCATION_KEYS.items():
        check_type(test, inv[k], kind, f"{where}.{k}")
    test.assertGreater(inv["sdk_call_ms"], 0, where)
    test.assertGreater(inv["duration_ms"], 0, where)


def check_cold_set(test, cs, n, where):
    test.assertEqual(set(cs), {"runs", "first", "second"}, where)
    test.assertEqual(len(cs["runs"]), n, where)
    for i, run in enumerate(cs["runs"]):
        check_invocation(test, run["first"], f"{where}.runs[{i}].first")
        check_invocation(test, run["second"], f"{where}.runs[{i}].second")
        test.assertIsNotNone(run["first"]["init_ms"], "a forced cold start has an Init Duration")
        test.assertIsNone(run["second"]["init_ms"], "the second invoke is warm")
    for part in ("first", "second"):
        for k, s in cs[part].items():
            test.assertIn(k, INVOCATION_KEYS, where)
            check_summary(test, s, f"{where}.{part}.{k}")
    test.assertIn("init_ms", cs["first"])


def check_document(test, doc, cold, warm, functions):
    test.assertEqual(set(doc), {"schema", "started_at", "elapsed_s", "machine", "target",
                                "settings", "labels", "functions", "ratios"})
    test.assertEqual(doc["schema"], "lambda-bench/1")
    test.assertRegex(doc["started_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    test.assertEqual(set(doc["machine"]), {"hostname", "os", "kernel", "arch", "cpu_model",
                                           "cpus", "memory_mb"})
    test.assertGreater(doc["machine"]["cpus"], 0)
    test.assertTrue(doc["machine"]["kernel"])
    test.assertEqual(set(doc["target"]), {"endpoint", "region", "signed"})
    test.assertTrue(doc["target"]["signed"])
    test.assertEqual(doc["settings"], {"cold_starts": cold, "warm_invokes": warm, "pause_ms": 50,
                                       "cold_op": "get", "ops": OPS})
    test.assertIn("network_model", doc["labels"])
    test.assertEqual(sorted(doc["functions"]), sorted(functions))
    for label, f in doc["functions"].items():
        test.assertEqual(set(f), {"name", "memory_size_mb", "cold_starts", "warm"})
        test.assertEqual(f["memory_size_mb"], 128)
        check_cold_set(test, f["cold_starts"]["as_deployed"], cold, f"{label}.as_deployed")
        if label == "c":
            check_cold_set(test, f["cold_starts"]["warm_connection"], cold,
                           f"{label}.warm_connection")
        else:
            test.assertNotIn("warm_connection", f["cold_starts"])
        test.assertEqual(list(f["warm"]), OPS)
        for op, w in f["warm"].items():
            test.assertEqual(len(w["invocations"]), warm)
            for i, inv in enumerate(w["invocations"]):
                check_invocation(test, inv, f"{label}.warm.{op}[{i}]")
                test.assertIsNone(inv["init_ms"])
            for k in ("duration_ms", "billed_ms", "max_memory_mb", "sdk_call_ms", "serialize_ms",
                      "client_ms"):
                check_summary(test, w[k], f"{label}.warm.{op}.{k}")
    if len(functions) == 2:
        test.assertEqual(set(doc["ratios"]), {"cold", "warm_sdk_call_p50"})
        test.assertEqual(list(doc["ratios"]["warm_sdk_call_p50"]), OPS)
        test.assertIn("init_ms", doc["ratios"]["cold"])


class LocalBenchShort(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="local-bench-test-")
        cls.out = os.path.join(cls.tmp, "out")
        t0 = time.monotonic()
        cls.proc = subprocess.run([sys.executable, SCRIPT, "--short", "--bin-dir", harness.BIN_DIR,
                                   "--out", cls.out], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=300)
        cls.elapsed = time.monotonic() - t0
        cls.stdout = cls.proc.stdout.decode(errors="replace")
        cls.stderr = cls.proc.stderr.decode(errors="replace")
        cls.functions = ["c", "python"] if has_boto3() else ["c"]

    def setUp(self):
        if self.proc.returncode != 0:
            self.fail(f"local_bench.py exited {self.proc.returncode}\n{self.stdout}\n"
                      f"{self.stderr[-4000:]}")

    def load(self):
        with open(os.path.join(self.out, "lambda-bench.json")) as f:
            return json.load(f)

    def test_json_shape(self):
        check_document(self, self.load(), 1, 3, self.functions)

    def test_figures_are_the_emulators_report_lines(self):
        logged = {}
        with open(os.path.join(self.out, "work", "emulator.log"), errors="replace") as f:
            for m in REPORT.finditer(f.read()):
                logged[m.group(1)] = m
        doc = self.load()
        seen = 0
        for label, fn in doc["functions"].items():
            invs = []
            for cs in fn["cold_starts"].values():
                for run in cs["runs"]:
                    invs += [run["first"], run["second"]]
            for op, w in fn["warm"].items():
                invs += w["invocations"]
            ids = [i["request_id"] for i in invs]
            self.assertEqual(len(ids), len(set(ids)), "one invocation per request id")
            for inv in invs:
                m = logged.get(inv["request_id"])
                self.assertIsNotNone(m, f"{inv['request_id']} is not in the emulator's log")
                self.assertAlmostEqual(inv["duration_ms"], float(m.group(2)), places=2)
                self.assertEqual(inv["billed_ms"], float(m.group(3)))
                self.assertEqual(inv["max_memory_mb"], float(m.group(5)))
                if m.group(6):
                    self.assertAlmostEqual(inv["init_ms"], float(m.group(6)), places=2)
                else:
                    self.assertIsNone(inv["init_ms"])
                seen += 1
        self.assertEqual(seen, len(self.functions) * (2 * 1 + 6 * 3) + 2)  # + C warm-connection

    def test_answers_are_the_functions(self):
        doc = self.load()
        expected = {"put": 1, "get": 1, "query": 25, "batch_write": 25, "update": 1, "delete": 1}
        for label, fn in doc["functions"].items():
            for op, w in fn["warm"].items():
                counts = [i["items_count"] for i in w["invocations"]]
                if op == "get":  # get after put finds item-0
                    self.assertEqual(counts, [1, 1, 1], label)
                else:
                    self.assertEqual(counts, [expected[op]] * 3, f"{label} {op}")
        c = doc["functions"]["c"]
        # The C function reports its connection set-up: over TLS the first call
        # of a cold start connects, with BENCH_WARM_CONNECTION=1 it does not.
        self.assertGreater(c["cold_starts"]["as_deployed"]["runs"][0]["first"]["connect_ms"], 0)
        self.assertEqual(c["cold_starts"]["warm_connection"]["runs"][0]["first"]["connect_ms"], 0)

    def test_every_table_cell_is_filled(self):
        with open(os.path.join(self.out, "lambda-bench.md")) as f:
            md = f.read()
        rows = [line for line in md.splitlines() if line.startswith("|")]
        tables = md.count("|---|")
        self.assertEqual(tables, 3, md)
        self.assertEqual(len(rows), (2 + 7) + (2 + 6) + (2 + 6), md)
        for row in rows:
            cells = [c.strip() for c in row.strip("|").split("|")]
            for c in cells:
                self.assertTrue(c, f"empty cell in {row!r}")
        if "python" in self.functions:
            self.assertIn("Python / C", md)
            self.assertRegex(md, r"\| Init Duration \(ms\) \| [\d.]+ \| [\d.]+ \| [\d.]+× \|")
        # The same tables on the terminal, and the machine named.
        self.assertIn("Cold starts: 1 forced", self.stdout)
        self.assertIn("Warm invocations: 3 per op", self.stdout)
        self.assertIn("Machine: ", self.stdout)
        self.assertIn("Machine: ", md)

    def test_svg_is_a_chart_of_every_op(self):
        tree = ET.parse(os.path.join(self.out, "lambda-bench.svg"))
        ns = "{http://www.w3.org/2000/svg}"
        texts = [t.text for t in tree.iter(ns + "text")]
        for op in OPS:
            self.assertIn(op, texts)
        bars = [r for r in tree.iter(ns + "rect") if r.get("y") not in (None, "30")]
        self.assertEqual(len(bars), 6 * len(self.functions))
        for r in bars:
            self.assertGreater(float(r.get("width")), 0)

    def test_no_process_left(self):
        self.assertEqual(leftovers(self.tmp), [])

    def test_bounded(self):
        # Not a speed assertion: the short mode must stay a handful of invocations.
        self.assertLess(self.elapsed, 240)


class LocalBenchInterrupted(unittest.TestCase):
    def test_ctrl_c_stops_everything(self):
        tmp = tempfile.mkdtemp(prefix="local-bench-int-")
        proc = subprocess.Popen([sys.executable, SCRIPT, "--short", "--bin-dir", harness.BIN_DIR,
                                 "--out", tmp], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        log = os.path.join(tmp, "work", "emulator.log")
        deadline = time.monotonic() + 60
        # Interrupt once the functions are running (the emulator has logged a REPORT).
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with open(log, errors="replace") as f:
                    if "REPORT RequestId" in f.read():
                        break
            except OSError:
                pass
            time.sleep(0.05)
        self.assertIsNone(proc.poll(), "the run ended before it could be interrupted")
        self.assertTrue(leftovers(tmp), "the run's processes should be visible while it runs")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 130, err.decode(errors="replace")[-2000:])
        self.assertIn(b"interrupted", err)
        self.assertEqual(leftovers(tmp), [])


if __name__ == "__main__":
    unittest.main()
