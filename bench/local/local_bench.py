#!/usr/bin/env python3
"""make local-bench: the seed article's measurements offline, in one command.

Starts dynamo-local-shim, the network model (bench-netproxy: TLS with a CA
made for this run, plus DynamoDB round-trip latency) and lambda-emulator on
free loopback ports, creates the article's table with 25 items, creates the
C function (and the Python one when this python3 has boto3), runs
lambda-bench against the emulator, and stops every process it started, also
on error and on Ctrl-C. See bench/README.md.

Only the standard library is used here; boto3 is needed by the Python
function alone."""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
TABLE = "lambda-rust-bench"
ROLE = "arn:aws:iam::000000000000:role/lambda-bench"
# Fixed local credentials: the emulator accepts any, and with them
# lambda-bench signs its requests exactly as it does against AWS.
LOCAL_CREDS = {"AWS_ACCESS_KEY_ID": "AKIDLOCALBENCH", "AWS_SECRET_ACCESS_KEY": "local-bench-secret",
               "AWS_REGION": "us-east-1"}


class Stop(Exception):
    """SIGINT, SIGTERM or SIGHUP arrived."""


def say(msg):
    print(f"local-bench: {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """Every process this run starts, each in its own process group, so
    stopping one stops its children (the emulator's environments) too."""

    def __init__(self, work):
        self.work = work
        self.procs = []

    def start(self, name, argv, log, env=None, cwd=None):
        # Run from the work folder, so a process left behind is easy to find.
        out = open(os.path.join(self.work, log), "wb")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                             cwd=cwd or self.work, start_new_session=True)
        out.close()
        self.procs.append((name, p))
        return p

    def stop_all(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    say(f"{name} ignored SIGTERM; killing its process group")
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
            # Whatever the process left in its group goes too.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.procs = []


def leftovers(work):
    """Processes whose command line or working directory is inside work."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if work in cmd or cwd.startswith(work):
            found.append((int(pid), cmd.strip()))
    return found


def wait_line(path, needle, proc, timeout=15):
    """Waits until the log file of proc has a line containing needle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            for line in f:
                if needle in line:
                    return line.strip()
        if proc.poll() is not None:
            raise RuntimeError(f"{os.path.basename(path)}: exited with {proc.returncode}")
        time.sleep(0.02)
    raise RuntimeError(f"{os.path.basename(path)}: no '{needle}' within {timeout}s")


def http(url, body=None, headers=None, method=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{method or 'POST'} {url}: HTTP {e.code} {e.read()[:300]!r}") from None


def dynamodb(url, op, body):
    return http(url, body, {"Content-Type": "application/x-amz-json-1.0",
                            "X-Amz-Target": f"DynamoDB_20120810.{op}",
                            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDLOCALBENCH/"
                                             "20200101/us-east-1/dynamodb/aws4_request, "
                                             "SignedHeaders=host, Signature=0"})


def make_ca(work):
    """A CA and a server certificate for 127.0.0.1 signed by it, made for
    this run only; the bundle given to the functions is the system bundle
    plus this CA, so verification costs what it costs against AWS."""
    tls = os.path.join(work, "tls")
    os.makedirs(tls)
    run = lambda *a: subprocess.run(["openssl", *a], check=True, cwd=tls,  # noqa: E731
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        "/CN=lambda-bench local CA", "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout",
        "server.key", "-out", "server.csr")
    with open(os.path.join(tls, "san.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "server.pem")
    bundle = os.path.join(tls, "bundle.pem")
    with open(bundle, "wb") as out:
        system = "/etc/ssl/certs/ca-certificates.crt"
        if os.path.exists(system):
            with open(system, "rb") as f:
                out.write(f.read())
        with open(os.path.join(tls, "ca.pem"), "rb") as f:
            out.write(f.read())
    return os.path.join(tls, "server.pem"), os.path.join(tls, "server.key"), bundle


def boto3_site():
    """The site-packages holding boto3 for the Python function, or None and why."""
    try:
        import boto3
    except ImportError as e:
        return None, f"python3 ({sys.executable}) has no boto3: {e}"
    return os.path.dirname(os.path.dirname(boto3.__file__)), None


def create_function(emu_url, name, zip_path, handler, memory, env):
    with open(zip_path, "rb") as f:
        code = base64.b64encode(f.read()).decode()
    http(f"{emu_url}/2015-03-31/functions",
         {"FunctionName": name, "Runtime": "provided.al2023", "Role": ROLE, "Handler": handler,
          "Code": {"ZipFile": code}, "MemorySize": memory, "Timeout": 30,
          "Environment": {"Variables": env}},
         {"Content-Type": "application/json"})


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench-results"),
                    help="output directory (default bench-results/)")
    ap.add_argument("--cold", type=int, default=3, help="forced cold starts per function (3)")
    ap.add_argument("--warm", type=int, default=20, help="warm invokes per op and function (20)")
    ap.add_argument("--ops", default="put,get,query,batch_write,update,delete")
    ap.add_argument("--pause", type=int, default=50,
                    help="ms between warm invokes (50; 0: back to back)")
    ap.add_argument("--memory", type=int, default=128, help="MemorySize of both functions (128)")
    ap.add_argument("--short", action="store_true",
                    help="a handful of invocations (--cold 1 --warm 3), for the tests")
    ap.add_argument("--no-python", action="store_true", help="the C function only")
    ap.add_argument("--rtt-ms", type=float, default=1.0,
                    help="added DynamoDB round trip, median (1.0; 0 for none)")
    ap.add_argument("--rtt-dist", default="lognormal", choices=["fixed", "uniform", "lognormal"])
    ap.add_argument("--rtt-spread", type=float, default=0.25,
                    help="uniform: +- this fraction of the median; lognormal: sigma (0.25)")
    ap.add_argument("--no-tls", action="store_true", help="plain HTTP to DynamoDB")
    ap.add_argument("--no-network-model", action="store_true",
                    help="the functions talk to the shim directly (no TLS, no latency)")
    args = ap.parse_args(argv)
    if args.short:
        args.cold, args.warm = 1, 3
    return args


def run(args, procs, work):
    bin_dir = os.path.abspath(args.bin_dir)
    for b in ("dynamo-local-shim", "lambda-emulator", "bench-function", "lambda-bench") + (
            () if args.no_network_model else ("bench-netproxy",)):
        if not os.access(os.path.join(bin_dir, b), os.X_OK):
            raise RuntimeError(f"{bin_dir}/{b} is not built (make build)")
    quiet_env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")

    say("starting dynamo-local-shim, the network model and lambda-emulator")
    shim_port = free_port()
    shim = procs.start("dynamo-local-shim", [os.path.join(bin_dir, "dynamo-local-shim"),
                                             "--port", str(shim_port)], "shim.log", quiet_env)
    wait_line(os.path.join(work, "shim.log"), "listening on", shim)
    shim_url = f"http://127.0.0.1:{shim_port}"

    labels = []
    ddb_url, fn_env = shim_url, {}
    if not args.no_network_model:
        port = free_port()
        argv = [os.path.join(bin_dir, "bench-netproxy"), "--port", str(port), "--upstream",
                f"127.0.0.1:{shim_port}", "--rtt-ms", str(args.rtt_ms), "--rtt-dist",
                args.rtt_dist, "--rtt-spread", str(args.rtt_spread)]
        if not args.no_tls:
            cert, key, bundle = make_ca(work)
            argv += ["--cert", cert, "--key", key]
            fn_env["AWS_CA_BUNDLE"] = bundle
        proxy = procs.start("bench-netproxy", argv, "netproxy.log", quiet_env)
        wait_line(os.path.join(work, "netproxy.log"), "listening on", proxy)
        ddb_url = f"{'http' if args.no_tls else 'https'}://127.0.0.1:{port}"
        spread = "" if args.rtt_dist == "fixed" else f", spread {args.rtt_spread}"
        labels.append(f"network_model=DynamoDB via bench-netproxy: "
                      f"{'plain HTTP' if args.no_tls else 'TLS, CA made for this run'}; "
                      f"added round trip {args.rtt_dist} {args.rtt_ms} ms{spread}; "
                      f"a new connection pays TCP + TLS 1.3 setup (2 round trips)")
    else:
        labels.append("network_model=none (functions talk to dynamo-local-shim directly)")

    emu_port = free_port()
    state = os.path.join(work, "state")
    emu = procs.start("lambda-emulator", [os.path.join(bin_dir, "lambda-emulator"), "--port",
                                          str(emu_port), "--log-file",
                                          os.path.join(work, "emulator.log"), "--state-dir",
                                          state], "emulator.out", quiet_env)
    wait_line(os.path.join(work, "emulator.out"), "Invoke API on", emu)
    emu_url = f"http://127.0.0.1:{emu_port}"

    say(f"creating table {TABLE} with 25 items")
    dynamodb(shim_url, "CreateTable", {
        "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}]})
    now = str(int(time.time()))
    dynamodb(shim_url, "BatchWriteItem", {"RequestItems": {TABLE: [
        {"PutRequest": {"Item": {"pk": {"S": "bench"}, "sk": {"S": f"item-{i}"},
                                 "data": {"S": "x" * 1000}, "timestamp": {"N": now}}}}
        for i in range(25)]}})

    say("packing and creating the functions")
    zip_c = os.path.join(work, "function.zip")
    subprocess.run([os.path.join(ROOT, "function", "package.sh"),
                    os.path.join(bin_dir, "bench-function"), zip_c], check=True,
                   stdout=subprocess.DEVNULL)
    env = dict(fn_env, AWS_ENDPOINT_URL_DYNAMODB=ddb_url, TABLE_NAME=TABLE)
    create_function(emu_url, "bench-c", zip_c, "bootstrap", args.memory, env)
    bench_argv = [os.path.join(bin_dir, "lambda-bench"), "--endpoint", emu_url, "--region",
                  "us-east-1", "--c", "bench-c", "--cold", str(args.cold), "--warm",
                  str(args.warm), "--ops", args.ops, "--pause", str(args.pause), "--out", args.out]
    site, why = (None, "--no-python") if args.no_python else boto3_site()
    if site:
        create_function(emu_url, "bench-python", zip_c[:-4] + "-python.zip",
                        "lambda_function.lambda_handler", args.memory,
                        dict(env, PYTHONPATH=site))
        bench_argv += ["--python", "bench-python"]
    else:
        say(f"the Python function is skipped: {why}")
        labels.append(f"python_skipped={why}")
    labels.append("functions=bench-function (provided.al2023 zip) and function/python "
                  "(boto3, run by function/python/bootstrap) on lambda-emulator")
    for label in labels:
        bench_argv += ["--label", label]

    say(f"measuring: {args.cold} cold starts per function, {args.warm} warm invokes per op")
    bench = subprocess.Popen(bench_argv, env=dict(os.environ, **LOCAL_CREDS))
    try:
        rc = bench.wait()
    finally:
        if bench.poll() is None:
            bench.send_signal(signal.SIGINT)
            try:
                bench.wait(30)
            except subprocess.TimeoutExpired:
                bench.kill()
                bench.wait()
    if rc != 0:
        with open(os.path.join(work, "emulator.log"), errors="replace") as f:
            say("emulator log tail:\n" + f.read()[-2000:])
        raise RuntimeError(f"lambda-bench exited with {rc}")


def main(argv=None):
    args = parse_args(argv)
    args.out = os.path.abspath(args.out)
    work = os.path.join(args.out, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    def on_signal(sig, frame):
        raise Stop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    procs = Processes(work)
    rc = 0
    try:
        run(args, procs, work)
    except Stop:
        say("interrupted")
        rc = 130
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        say(f"failed: {e}")
        rc = 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        procs.stop_all()
        left = leftovers(work)
        for pid, cmd in left:
            say(f"left behind, killing: {pid} {cmd}")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if left:
            rc = rc or 1
    if rc == 0:
        say(f"done; logs and the run's CA in {work}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
