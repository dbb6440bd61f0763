"""Crash safety of dynamo-local-shim --db: the server is killed with SIGKILL at
random moments under a write load (PutItem, BatchWriteItem, UpdateItem);
after each restart every acknowledged write is there, no batch is half
applied, and SQLite's integrity_check says ok. Prints what it did."""
import os
import random
import signal
import sqlite3
import tempfile
import threading
import time
import unittest

import boto3
from botocore.config import Config

import harness

CYCLES = int(os.environ.get("SHIM_CRASH_CYCLES", "6"))


def client(url):
    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=2,
                                      read_timeout=5))


class Writer(threading.Thread):
    """Writes until the server dies; records what was acknowledged."""

    def __init__(self, url, start):
        super().__init__(daemon=True)
        self.ddb = client(url)
        self.n = start
        self.acked_puts = []     # sk of each acknowledged PutItem
        self.acked_batches = []  # list of sk lists, each acknowledged as a whole
        self.sent_batches = []   # every batch sent, acknowledged or not
        self.acked_counter = 0   # the last acknowledged value of the counter

    def run(self):
        try:
            while True:
                self.n += 1
                kind = self.n % 3
                if kind == 0:
                    sk = f"put-{self.n:08d}"
                    self.ddb.put_item(TableName="crash", Item={"pk": {"S": "p"}, "sk": {"S": sk},
                                                               "v": {"S": "x" * 500}})
                    self.acked_puts.append(sk)
                elif kind == 1:
                    sks = [f"batch-{self.n:08d}-{i:02d}" for i in range(25)]
                    self.sent_batches.append(sks)
                    self.ddb.batch_write_item(RequestItems={"crash": [
                        {"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"S": s}}}} for s in sks]})
                    self.acked_batches.append(sks)
                else:
                    out = self.ddb.update_item(
                        TableName="crash", Key={"pk": {"S": "c"}, "sk": {"S": "counter"}},
                        UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": {"N": "1"}},
                        ReturnValues="UPDATED_NEW")
                    self.acked_counter = int(out["Attributes"]["n"]["N"])
        except Exception:
            return  # the server was killed


class CrashSafety(unittest.TestCase):
    def test_kill_9_under_load(self):
        tmp = tempfile.mkdtemp()
        db = os.path.join(tmp, "crash.db")
        rng = random.Random(int(os.environ.get("SHIM_CRASH_SEED", "7")))
        srv = harness.Server(["dynamo-local-shim", "--port", "{port}", "--db", db])
        client(srv.url).create_table(
            TableName="crash", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}])
        puts, batches, sent, counter, n = [], [], [], 0, 0
        for cycle in range(CYCLES):
            writers = [Writer(srv.url, n + 10_000_000 * (w + 1) + cycle * 1_000_000)
                       for w in range(2)]
            for w in writers:
                w.start()
            time.sleep(rng.uniform(0.2, 1.2))
            os.kill(srv.proc.pid, signal.SIGKILL)
            srv.proc.wait()
            for w in writers:
                w.join(10)
                puts += w.acked_puts
                batches += w.acked_batches
                sent += w.sent_batches
                counter = max(counter, w.acked_counter)
            con = sqlite3.connect(db)
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            con.close()
            srv = harness.Server(["dynamo-local-shim", "--port", "{port}", "--db", db])
            have = set()
            ddb = client(srv.url)
            for page in ddb.get_paginator("query").paginate(
                    TableName="crash", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "p"}}, ProjectionExpression="sk"):
                have.update(i["sk"]["S"] for i in page["Items"])
            lost = [s for s in puts if s not in have]
            lost += [s for b in batches for s in b if s not in have]
            self.assertEqual(lost, [], f"cycle {cycle}: acknowledged writes lost")
            for b in sent:  # all or nothing, acknowledged or not
                present = sum(s in have for s in b)
                self.assertIn(present, (0, len(b)), f"cycle {cycle}: a batch was half applied")
            got = ddb.get_item(TableName="crash", Key={"pk": {"S": "c"}, "sk": {"S": "counter"}})
            value = int(got.get("Item", {}).get("n", {}).get("N", "0"))
            self.assertGreaterEqual(value, counter, f"cycle {cycle}: counter went back")
            n += 1
        srv.stop()
        print(f"\ncrash safety: {CYCLES} kill -9 under load; "
              f"{len(puts)} puts and {len(batches)} batches of 25 acknowledged, none lost; "
              f"{len(sent)} batches sent, none half applied; counter at {counter}; "
              f"integrity_check ok every time")


if __name__ == "__main__":
    unittest.main(verbosity=2)
