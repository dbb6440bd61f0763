"""Regenerates botocore_vectors.json: DynamoDB requests signed by botocore's
SigV4Auth at fixed times, which test_sigv4.c must reproduce byte for byte.
Usage: python3 gen_botocore_vectors.py > botocore_vectors.json"""
import datetime
import json
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CASES = [
    # url, region, amz date, target, body, session token
    ("https://dynamodb.us-east-1.amazonaws.com/", "us-east-1", "20260127T120000Z",
     "DynamoDB_20120810.GetItem",
     '{"TableName":"lambda-rust-bench","Key":{"pk":{"S":"bench"},"sk":{"S":"item-0"}}}', None),
    ("https://dynamodb.ap-northeast-1.amazonaws.com/", "ap-northeast-1", "20251231T235959Z",
     "DynamoDB_20120810.PutItem",
     '{"TableName":"lambda-rust-bench","Item":{"pk":{"S":"bench"},"sk":{"S":"item-0"},'
     '"data":{"S":"' + "x" * 1000 + '"},"timestamp":{"N":"1764000000"}}}',
     "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+session/token=="),
    ("http://127.0.0.1:8000/", "eu-west-1", "20260301T000102Z",
     "DynamoDB_20120810.Query",
     '{"TableName":"t","KeyConditionExpression":"pk = :pk",'
     '"ExpressionAttributeValues":{":pk":{"S":"caf\u00e9 \u2603"}}}',
     "FwoGZXIvYXdzEBYaDK1234567890abcdef"),
    ("http://localhost:4566/", "us-west-2", "20260615T081500Z",
     "DynamoDB_20120810.BatchWriteItem", '{"RequestItems":{}}', None),
    ("https://dynamodb.us-east-1.amazonaws.com/", "us-east-1", "20260127T120000Z",
     "DynamoDB_20120810.ListTables", "{}", "short-token"),
]


def main():
    out = []
    for url, region, date, target, body, token in CASES:
        when = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")
        creds = Credentials("AKIAIOSFODNN7EXAMPLE",
                            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token)
        req = AWSRequest(method="POST", url=url, data=body.encode("utf-8"), headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": target,
        })
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
            botocore.auth.SigV4Auth(creds, "dynamodb", region).add_auth(req)
        out.append({
            "url": url, "region": region, "amz_date": date, "target": target,
            "body": body, "access_key_id": creds.access_key, "secret": creds.secret_key,
            "session_token": token,
            "signed_headers_sent": {k: v for k, v in req.headers.items()},
            "authorization": req.headers["Authorization"],
        })
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
