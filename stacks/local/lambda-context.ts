// A Lambda `Context` for handlers invoked locally, so the same handler module
// runs here and on Lambda. Nothing enforces the timeout: the remaining time is
// informational, as a handler reads it to decide whether to start more work.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The account id local ARNs use (fauxqs uses the same). */
export const LOCAL_ACCOUNT_ID = '000000000000';

export function lambdaContext(opts: {
  functionName: string;
  region: string;
  timeoutMs?: number;
  memoryLimitInMB?: number;
}): Context {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const fail = () => {
    throw new Error('context.done/fail/succeed are not supported: return or throw instead');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: opts.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${opts.region}:${LOCAL_ACCOUNT_ID}:function:${opts.functionName}`,
    memoryLimitInMB: String(opts.memoryLimitInMB ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${opts.functionName}`,
    logStreamName: `${day}/[$LATEST]local`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}
