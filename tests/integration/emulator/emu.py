"""Helpers for the emulator's integration tests: start lambda-emulator on a
free port with its logs in a file, invoke over raw HTTP, read REPORT lines."""
import base64
import http.client
import json
import os
import re
import tempfile
import time

import harness

REPORT_RE = re.compile(
    r"REPORT RequestId: (?P<id>[0-9a-f-]+)\tDuration: (?P<duration>\d+\.\d\d) ms\t"
    r"Billed Duration: (?P<billed>\d+) ms\tMemory Size: (?P<size>\d+) MB\t"
    r"Max Memory Used: (?P<used>\d+) MB\t(?P<rest>.*)$")


def test_runtime():
    return harness.binary("test-runtime")


class Emulator:
    """lambda-emulator on a free port; extra args and an optional command."""

    def __init__(self, args=(), command=None, env=None):
        fd, self.log_path = tempfile.mkstemp(prefix="emu-log-", suffix=".txt")
        os.close(fd)
        argv = ["lambda-emulator", "--port", "{port}", "--log-file", self.log_path] + list(args)
        if command:
            argv += ["--"] + list(command)
        self.server = harness.Server(argv, env=env)
        self.port = self.server.port
        self.url = self.server.url

    def stop(self):
        """Stops the emulator; fails on any sanitizer report or unclean exit."""
        out = self.server.stop()
        try:
            os.unlink(self.log_path)
        except OSError:
            pass
        for needle in ("AddressSanitizer", "LeakSanitizer", "ThreadSanitizer", "runtime error:"):
            if needle in out:
                raise AssertionError(f"lambda-emulator reported:\n{out[-6000:]}")
        if self.server.proc.returncode not in (0, -15):
            raise AssertionError(f"lambda-emulator exited with {self.server.proc.returncode}:\n"
                                 f"{out[-3000:]}")
        return out

    def alive(self):
        return self.server.proc.poll() is None

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_log(self, needle, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log()
            if needle in text:
                return text
            time.sleep(0.02)
        raise AssertionError(f"{needle!r} not in the log:\n{self.log()[-3000:]}")

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
            conn.request(method, path, body=data, headers=headers or {})
            resp = conn.getresponse()
            payload = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload
        finally:
            conn.close()

    def invoke(self, payload, function="function", headers=None, tail=False, timeout=30):
        h = dict(headers or {})
        if tail:
            h["X-Amz-Log-Type"] = "Tail"
        return self.request("POST", f"/2015-03-31/functions/{function}/invocations", payload, h,
                            timeout)


def decode_tail(headers):
    return base64.b64decode(headers["x-amz-log-result"]).decode("utf-8", errors="replace")


def report_of(text, request_id=None):
    """The REPORT line (as a dict) of request_id, or the last one."""
    found = None
    for line in text.splitlines():
        m = REPORT_RE.match(line)
        if m and (request_id is None or m.group("id") == request_id):
            found = m.groupdict()
    return found


def init_duration(report):
    m = re.search(r"Init Duration: (\d+\.\d\d) ms\t$", report["rest"])
    return float(m.group(1)) if m else None
