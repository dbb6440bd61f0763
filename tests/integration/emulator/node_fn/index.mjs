// A Node handler run by the official runtime client (aws-lambda-ric) on
// lambda-emulator.
export const handler = async (event, context) => {
  console.log("node handler got", JSON.stringify(event));
  if (event.fail) {
    throw new TypeError("failing on purpose");
  }
  return {
    echo: event,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    memoryLimitInMB: context.memoryLimitInMB,
    invokedFunctionArn: context.invokedFunctionArn,
    remainingMs: context.getRemainingTimeInMillis(),
    clientContext: context.clientContext || null,
  };
};
