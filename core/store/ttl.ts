// TTL is a hint, not a guarantee: the cloud deletes expired items up to days
// late and DynamoDB Local never does. So a reader treats an item whose
// `expiresAt` has passed as absent, exactly as if the deletion had happened.
import { TTL_ATTRIBUTE } from './table.js';

/** The TTL attribute value (epoch seconds) for an item that should vanish at `at`. */
export function expiresAtFrom(at: Date): number {
  return Math.ceil(at.getTime() / 1000);
}

/** True when the item carries a TTL that has passed at `now`. */
export function isExpired(item: Record<string, unknown>, now: Date): boolean {
  const expiresAt = item[TTL_ATTRIBUTE];
  return typeof expiresAt === 'number' && expiresAt * 1000 <= now.getTime();
}

/** The item, or undefined when it is missing or expired. */
export function unlessExpired<T extends Record<string, unknown>>(
  item: T | undefined,
  now: Date,
): T | undefined {
  return item && !isExpired(item, now) ? item : undefined;
}
