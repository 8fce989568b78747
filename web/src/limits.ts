// Why a launch would be refused, said before anyone clicks: the tier's limits
// against what the user already has (GET /api/v1/me/limits). The words match
// the API's own refusal.
import type { Limits } from './api/types.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The reason a new launch cannot happen now, or undefined when it can. */
export function launchBlockedReason(limits: Limits | undefined): string | undefined {
  if (!limits) return undefined;
  const { limits: l, usage } = limits;
  if (usage.total >= l.maxTotal)
    return `You have reached your tier’s limit of ${plural(l.maxTotal, 'environment')}: delete one to launch another.`;
  if (usage.running >= l.maxRunning)
    return `You have reached your tier’s limit of ${plural(l.maxRunning, 'running environment')}: stop one to launch another.`;
  return undefined;
}

/** Minutes until a time, at least 1: "stops in 7 min". */
export function minutesUntil(iso: string, now = Date.now()): number {
  return Math.max(1, Math.ceil((new Date(iso).getTime() - now) / 60_000));
}
