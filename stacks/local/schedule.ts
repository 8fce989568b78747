// Local stand-in for an EventBridge schedule rule: invoke a handler every
// `everyMs` with a ScheduledEvent, as Lambda would receive it.
//
// Unlike EventBridge, runs never overlap: a tick that comes due while the
// previous run is still going is skipped (the jobs are level-based, so the
// next run catches up). Errors are logged, never thrown, as a failed scheduled
// Lambda does not stop its rule.
import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, lambdaContext } from './lambda-context.js';

export interface ScheduleOptions {
  /** Rule name; also the function name in the context. */
  name: string;
  everyMs: number;
  handler: (event: ScheduledEvent, context: Context) => Promise<unknown>;
  region?: string;
  log?: (msg: string) => void;
}

export function startSchedule(opts: ScheduleOptions): { stop(): Promise<void> } {
  if (!(opts.everyMs > 0)) throw new Error(`everyMs must be > 0, got ${opts.everyMs}`);
  const region = opts.region ?? 'us-east-1';
  const log = opts.log ?? ((msg: string) => console.warn(`[schedule ${opts.name}] ${msg}`));
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Fixed rate like EventBridge: ticks at start + k·everyMs, not "everyMs after the last run ended".
  let nextAt = Date.now() + opts.everyMs;

  const tick = () => {
    running = invoke().finally(() => {
      running = undefined;
      if (stopped) return;
      const now = Date.now();
      while (nextAt <= now) nextAt += opts.everyMs; // skip ticks missed while running
      timer = setTimeout(tick, nextAt - now);
    });
  };

  const invoke = async () => {
    try {
      await opts.handler(
        scheduledEvent(opts.name, region, new Date()),
        lambdaContext({ functionName: opts.name, region }),
      );
    } catch (error) {
      log(`run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  };

  timer = setTimeout(tick, opts.everyMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The event EventBridge sends for a schedule rule. */
export function scheduledEvent(ruleName: string, region: string, time: Date): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    // EventBridge stamps whole seconds.
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:events:${region}:${LOCAL_ACCOUNT_ID}:rule/${ruleName}`],
    detail: {},
  };
}
