// Lambda entry point of the reaper (every minute): culls idle and over-age
// environments. The culling policy arrives with the reaper issue (6); until
// then a run culls nothing.
import type { Context, ScheduledEvent } from 'aws-lambda';

export const handler = async (event: ScheduledEvent, _context: Context) => ({
  time: event.time,
  culled: 0,
});
