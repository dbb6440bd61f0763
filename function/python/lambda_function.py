"""The Python side of the comparison: the seed article's boto3 function with
the C function's ops (put, get, query, batch_write, delete, update) and the
same response body, runtime "python".

Configuration as the C function: TABLE_NAME (default lambda-rust-bench);
endpoint from AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL, else AWS's;
region from AWS_REGION, else AWS_DEFAULT_REGION. The client is created during
init, outside the handler, as the article does.

serialize_ms is the time from the call to the moment botocore sends the
request (parameter validation, serialization, signing); boto3 gives no finer
split of the rest."""
import json
import os
import time

import boto3

TABLE_NAME = os.environ.get("TABLE_NAME", "lambda-rust-bench")
OPS = ["put", "get", "query", "batch_write", "delete", "update"]
DATA = "x" * 1000


def _endpoint():
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL") or None


client = boto3.client("dynamodb",
                      region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
                      endpoint_url=_endpoint())

_marks = {}
client.meta.events.register("before-send.dynamodb", lambda **kw: _marks.__setitem__(
    "sent", time.perf_counter()))

_error_classes = {}


def _aws_error(err):
    """Re-raises a botocore ClientError as an exception named after the AWS
    error code, so the function error's errorType is e.g.
    ResourceNotFoundException, as from the C function."""
    code = err.response.get("Error", {}).get("Code", "ClientError")
    cls = _error_classes.setdefault(code, type(code, (Exception,), {}))
    return cls(err.response.get("Error", {}).get("Message", str(err)))


def _key():
    return {"pk": {"S": "bench"}, "sk": {"S": "item-0"}}


def _item(i, ts):
    return {"pk": {"S": "bench"}, "sk": {"S": f"item-{i}"}, "data": {"S": DATA},
            "timestamp": {"N": str(ts)}}


def _response(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"},
            "body": json.dumps(body)}


def lambda_handler(event, context):
    total_start = time.perf_counter()
    if not isinstance(event, dict):
        return _response(400, {"error": "the event is not a JSON object", "valid_ops": OPS})
    params = event.get("queryStringParameters") or {}
    op = params.get("op") if "op" in params else event.get("op", "get")
    if op not in OPS:
        return _response(400, {"error": f'unknown op "{op}": use put, get, query, batch_write, '
                                        'delete or update', "valid_ops": OPS})

    from botocore.exceptions import ClientError
    items_count = 0
    now = int(time.time())
    _marks.clear()
    sdk_start = time.perf_counter()
    try:
        if op == "put":
            resp = client.put_item(TableName=TABLE_NAME, Item=_item(0, now))
            items_count = 1
        elif op == "get":
            resp = client.get_item(TableName=TABLE_NAME, Key=_key())
            items_count = 1 if "Item" in resp else 0
        elif op == "query":
            resp = client.query(TableName=TABLE_NAME, KeyConditionExpression="pk = :pk",
                                ExpressionAttributeValues={":pk": {"S": "bench"}})
            items_count = resp.get("Count", 0)
        elif op == "batch_write":
            requests = [{"PutRequest": {"Item": _item(i, now)}} for i in range(25)]
            resp = client.batch_write_item(RequestItems={TABLE_NAME: requests})
            unprocessed = sum(len(v) for v in resp.get("UnprocessedItems", {}).values())
            items_count = 25 - unprocessed
        elif op == "delete":
            resp = client.delete_item(TableName=TABLE_NAME, Key=_key())
            items_count = 1
        else:  # update
            resp = client.update_item(TableName=TABLE_NAME, Key=_key(),
                                      UpdateExpression="SET #ts = :ts",
                                      ExpressionAttributeNames={"#ts": "timestamp"},
                                      ExpressionAttributeValues={":ts": {"N": str(now)}})
            items_count = 1
    except ClientError as err:
        raise _aws_error(err) from None
    sdk_end = time.perf_counter()
    sdk_call_ms = (sdk_end - sdk_start) * 1000
    duration_ms = (time.perf_counter() - total_start) * 1000
    sent = _marks.get("sent", sdk_start)
    return _response(200, {
        "operation": op,
        "runtime": "python",
        "duration_ms": round(duration_ms, 4),
        "sdk_call_ms": round(sdk_call_ms, 4),
        "items_count": items_count,
        "serialize_ms": round((sent - sdk_start) * 1000, 4),
        "attempts": resp.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1,
    })
