"""Shared helpers for the integration tests: find the built binaries, start a
server on a free loopback port, wait until it answers, stop it cleanly."""
import os
import socket
import subprocess
import time
import urllib.request

BIN_DIR = os.environ.get("BIN_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "bin")
# Built with ASan+UBSan: freed memory sits in ASan's quarantine, so RSS says
# nothing about leaks there (LeakSanitizer, at exit, does).
SANITIZED = os.environ.get("SANITIZED") == "1"
SHARED_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))


def binary(name):
    path = os.path.join(BIN_DIR, name)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is not built")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=10.0, proc=None):
    """Waits until url answers any HTTP status; raises if proc dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def terminate(proc, grace=5.0):
    """SIGTERM, then SIGKILL after grace seconds; waits for the exit."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Server:
    """A binary started on a free port: Server(['dynamo-local-shim', '--port', '{port}'])."""

    def __init__(self, argv, health_path="/", env=None, port=None):
        self.port = port or free_port()
        argv = [a.replace("{port}", str(self.port)) for a in argv]
        argv[0] = binary(argv[0])
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            wait_http(self.url + health_path, proc=self.proc)
        except Exception:
            self.stop()
            raise

    def stop(self):
        terminate(self.proc)
        out = self.proc.stdout.read().decode(errors="replace") if self.proc.stdout else ""
        if self.proc.stdout:
            self.proc.stdout.close()
        return out

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
