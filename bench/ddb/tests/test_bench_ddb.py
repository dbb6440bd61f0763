"""Integration tests of bench-ddb and run.sh: the real client against real
servers over loopback -- a correct stand-in (fake_ddb.py), the same stand-in
answering wrongly in one way at a time (each must fail the run), moto_server
when installed -- and the servers' lifetimes (stopped after a run, on Ctrl-C,
and when the client is killed)."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BIN_DIR = os.environ.get("BIN_DIR") or os.path.join(HERE, "..", "..", "..", "build", "bin")
CLIENT = os.path.join(BIN_DIR, "bench-ddb")
RUN_SH = os.path.join(HERE, "..", "run.sh")
FAKE = [sys.executable, os.path.join(HERE, "fake_ddb.py"), "--port", "{port}"]
SMALL = ["--iterations", "40", "--seconds", "2", "--warmup", "5", "--load-items", "300",
         "--quiet"]
OPS = ("Health", "PutItem", "GetItem", "Query", "BatchWriteItem", "UpdateItem", "QueryFilter",
       "TransactWriteItems")


def read_result(path):
    """The result file as a dict: ops -> {state, count, p50, p99, ops}, plus keys."""
    out = {"ops": {}}
    with open(path) as f:
        for line in f:
            words = line.rstrip("\n").split(" ")
            if words[0] == "op":
                name, state, count, p50, p99, ops = words[1:]
                out["ops"][name] = {"state": state, "count": int(count), "p50": float(p50),
                                    "p99": float(p99), "ops": float(ops)}
            elif words[0] == "memory":
                out["items"], out["rss_kb"], out["hwm_kb"], out["idle_kb"] = map(int, words[1:5])
                out["process"] = words[5]
            elif words[0] == "note":
                out["note"] = " ".join(words[1:])
            elif words[0] != "end":
                out[words[0]] = " ".join(words[1:])
    return out


def gone(pid, timeout=10.0):
    """True once pid has exited (and been reaped, or is a zombie)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/status") as f:
                if any(l.startswith("State:") and "Z" in l.split()[1] for l in f):
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def read_pid(path):
    with open(path) as f:
        return int(f.read())


def wait_file(path, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return True
        time.sleep(0.02)
    return False


class BenchDdb(unittest.TestCase):
    def setUp(self):
        if not os.access(CLIENT, os.X_OK):
            self.fail(f"{CLIENT} is not built")
        self.tmp = tempfile.mkdtemp(prefix="bench-ddb-test.")
        self.out = os.path.join(self.tmp, "r.result")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def bench(self, server_argv, *extra, name="fake"):
        argv = [CLIENT, "--name", name, "--out", self.out, *SMALL, *extra, "--", *server_argv]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        return p

    def test_correct_server_passes_with_every_figure(self):
        p = self.bench(FAKE)
        self.assertEqual(p.returncode, 0, p.stderr)
        r = read_result(self.out)
        self.assertEqual(r["state"], "ok")
        self.assertEqual(sorted(r["ops"]), sorted(OPS))
        for op in OPS:
            o = r["ops"][op]
            self.assertEqual(o["state"], "ok", op)
            self.assertEqual(o["count"], 40, op)  # each of them measured, checked and counted
            self.assertTrue(0 < o["p50"] <= o["p99"], op)
            self.assertGreater(o["ops"], 0, op)
        self.assertGreater(float(r["startup_ms"]), 0)
        self.assertEqual(r["items"], 300)
        self.assertTrue(0 < r["idle_kb"] <= r["rss_kb"] <= r["hwm_kb"])
        self.assertTrue(r["process"].startswith("python"), r["process"])
        self.assertEqual(r["connections"], "1")  # one keep-alive connection throughout

    def test_wrong_answers_fail_the_operation(self):
        cases = {"get-no-item": ("GetItem", "no Item"),
                 "get-wrong-item": ("GetItem", "asked for"),
                 "query-short": ("Query", "Count is 24, expected 25"),
                 "put-500": ("PutItem", "HTTP 500"),
                 "update-unconditional": ("UpdateItem", "HTTP 200 where DynamoDB refuses"),
                 "filter-ignored": ("QueryFilter", "Count is 100, expected 10")}
        for fault, (op, words) in cases.items():
            with self.subTest(fault=fault):
                p = self.bench(FAKE + ["--fault", fault])
                self.assertEqual(p.returncode, 1, p.stderr)
                r = read_result(self.out)
                self.assertEqual(r["state"], "failed")
                self.assertEqual(r["ops"][op]["state"], "failed")
                self.assertIn(words, r["note"])
                for other in OPS:
                    if other != op:
                        self.assertEqual(r["ops"][other]["state"], "ok", other)

    def test_missing_operation_is_unsupported_not_failed(self):
        p = self.bench(FAKE + ["--fault", "no-transactions"])
        self.assertEqual(p.returncode, 0, p.stderr)
        r = read_result(self.out)
        self.assertEqual(r["state"], "ok")
        self.assertEqual(r["ops"]["TransactWriteItems"]["state"], "unsupported")
        self.assertEqual(r["ops"]["UpdateItem"]["state"], "ok")
        table = subprocess.run([CLIENT, "--report", "fake", self.out], capture_output=True,
                               text=True, timeout=30).stdout
        row = next(l for l in table.splitlines() if l.strip().startswith("TransactWriteItems"))
        self.assertIn("n/a", row)

    def test_unprocessed_items_stop_the_run_at_the_seed(self):
        p = self.bench(FAKE + ["--fault", "batch-unprocessed"])
        self.assertEqual(p.returncode, 1, p.stderr)
        r = read_result(self.out)
        self.assertEqual(r["state"], "failed")
        self.assertIn("seed", r["note"])
        self.assertIn("UnprocessedItems", r["note"])
        self.assertEqual(r["ops"], {})  # nothing measured against a broken seed

    def test_server_that_cannot_start(self):
        p = self.bench(["/nonexistent/server", "--port", "{port}"])
        self.assertEqual(p.returncode, 1)
        r = read_result(self.out)
        self.assertEqual(r["state"], "failed")
        self.assertIn("start", r["note"])
        p = self.bench([sys.executable, "-c", "import sys; sys.exit(3)"])
        self.assertEqual(p.returncode, 1)
        self.assertIn("exited with status 3", read_result(self.out)["note"])

    def test_server_stopped_after_the_run(self):
        pidfile = os.path.join(self.tmp, "pid")
        p = self.bench(FAKE + ["--pidfile", pidfile])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(gone(read_pid(pidfile)))

    def interrupted(self, sig):
        """Starts a run against a server slow to start, signals the client
        once the server is up, and returns the server's pid."""
        pidfile = os.path.join(self.tmp, "pid")
        argv = [CLIENT, "--name", "slow", "--out", self.out, *SMALL, "--",
                *FAKE, "--pidfile", pidfile, "--slow-start", "60"]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.assertTrue(wait_file(pidfile))
            server = read_pid(pidfile)
            proc.send_signal(sig)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        return server

    def test_ctrl_c_stops_the_server(self):
        self.assertTrue(gone(self.interrupted(signal.SIGINT)))

    def test_killed_client_takes_the_server_along(self):
        self.assertTrue(gone(self.interrupted(signal.SIGKILL)))

    @unittest.skipUnless(shutil.which("moto_server"), "moto_server is not installed")
    def test_moto_server(self):
        p = self.bench(["moto_server", "-H", "127.0.0.1", "-p", "{port}"], name="moto")
        self.assertEqual(p.returncode, 0, p.stderr)
        r = read_result(self.out)
        self.assertEqual(r["state"], "ok", r.get("note"))
        self.assertEqual(r["items"], 300)

    def test_report_compares_subject_with_best_peer(self):
        files = []
        for name, fault in (("subj", "none"), ("peer", "none"), ("broken", "query-short")):
            out = os.path.join(self.tmp, name + ".result")
            subprocess.run([CLIENT, "--name", name, "--out", out, *SMALL, "--", *FAKE,
                            "--fault", fault], capture_output=True, timeout=120)
            files.append(out)
        skipped = os.path.join(self.tmp, "absent.result")
        subprocess.run([CLIENT, "--name", "absent", "--skip", "not installed", "--out", skipped],
                       check=True)
        files.append(skipped)
        p = subprocess.run([CLIENT, "--report", "subj", *files], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        header = lines[0].split()
        self.assertEqual(header[3:7], ["subj", "peer", "broken", "absent"])
        query = [l for l in lines if l.strip().startswith("Query")][0]
        self.assertIn("FAIL", query)          # broken's Query
        self.assertIn("(peer)", query)        # the only valid peer is the best one
        self.assertIn("absent: skipped; not installed", p.stdout)
        self.assertIn("broken: FAILED", p.stdout)
        bad = subprocess.run([CLIENT, "--report", "subj", os.path.join(self.tmp, "none")],
                             capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)


class RunSh(unittest.TestCase):
    """run.sh with a stand-in for dynamo-local-shim: a bin folder holding
    bench-ddb and a dynamo-local-shim script that runs fake_ddb.py."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bench-ddb-run.")
        self.bin = os.path.join(self.tmp, "bin")
        os.mkdir(self.bin)
        os.symlink(os.path.abspath(CLIENT), os.path.join(self.bin, "bench-ddb"))
        self.env = dict(os.environ, BENCH_DDB_ITERATIONS="30", BENCH_DDB_SECONDS="1",
                        BENCH_DDB_WARMUP="3", BENCH_DDB_LOAD_ITEMS="100",
                        BENCH_DDB_NPM_DIR=os.path.join(self.tmp, "npm"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def shim(self, *fake_args):
        path = os.path.join(self.bin, "dynamo-local-shim")
        with open(path, "w") as f:
            f.write("#!/bin/sh\nexec %s %s %s \"$@\"\n" % (
                sys.executable, os.path.join(HERE, "fake_ddb.py"), " ".join(fake_args)))
        os.chmod(path, 0o755)

    def run_sh(self, servers, timeout=300, **extra):
        env = dict(self.env, BENCH_DDB_SERVERS=servers, **extra)
        return subprocess.run(["bash", RUN_SH, self.bin], env=env, capture_output=True,
                              text=True, timeout=timeout)

    def test_side_by_side_with_a_peer(self):
        self.shim()
        peer = "moto" if shutil.which("moto_server") else "dynalite"
        keep = os.path.join(self.tmp, "keep")
        p = self.run_sh("shim " + peer, BENCH_DDB_KEEP=keep)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        with open(os.path.join(keep, "table.txt")) as f:
            self.assertIn(f.read().strip(), p.stdout)
        self.assertEqual(read_result(os.path.join(keep, "shim.result"))["state"], "ok")
        head = [l for l in p.stdout.splitlines() if l.startswith("p50 latency")][0].split()
        self.assertEqual(head[3:5], ["shim", peer])
        self.assertIn("shim: ok", p.stdout)
        self.assertRegex(p.stdout, r"\n  GetItem .*x (faster|slower) \(%s\)" % peer)
        self.assertIn("RSS after the load", p.stdout)

    def test_missing_shim_is_a_skipped_column(self):
        p = self.run_sh("shim")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("shim: skipped;", p.stdout)
        self.assertIn("is not built", p.stdout)

    def test_failing_shim_fails_the_run(self):
        self.shim("--fault", "get-wrong-item")
        p = self.run_sh("shim")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("shim: FAILED", p.stdout)

    def test_unknown_server_name(self):
        p = self.run_sh("nosuch")
        self.assertEqual(p.returncode, 2)

    def test_interrupt_stops_every_server(self):
        pidfile = os.path.join(self.tmp, "pid")
        self.shim("--pidfile", pidfile, "--slow-start", "60")
        env = dict(self.env, BENCH_DDB_SERVERS="shim")
        proc = subprocess.Popen(["bash", RUN_SH, self.bin], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.assertTrue(wait_file(pidfile))
            server = read_pid(pidfile)
            proc.send_signal(signal.SIGINT)
            self.assertEqual(proc.wait(15), 130)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertTrue(gone(server))


if __name__ == "__main__":
    unittest.main(verbosity=2)
