// Lambda entry point of the reaper (every minute): culls idle and over-age
// environments. The culling policy arrives with the reaper issue (6); until
// then a run only reports that it ran.
import type { Context, ScheduledEvent } from 'aws-lambda';

export const handler = async (event: ScheduledEvent, _context: Context) => {
  console.log(
    JSON.stringify({ level: 'debug', message: 'reaper run', time: event.time, culled: 0 }),
  );
  return { culled: 0 };
};
