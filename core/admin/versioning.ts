// Optimistic concurrency for what admins edit (settings, templates): every
// save bumps a version, the ETag names it, and a write names the version it
// read in If-Match — so the second of two admins editing at once is refused
// (412) instead of silently undoing the first one's change.
import { PreconditionFailed, PreconditionRequired, type Versioned } from './errors.js';

export const etagOf = (version: number) => `"${version}"`;

/** The version an If-Match header names, or undefined when it names none we issue. */
export function versionFromIfMatch(header: string): number | undefined {
  const m = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  return m ? Number(m[1]) : undefined;
}

/**
 * Throws unless If-Match names `current`: 428 when it is missing and
 * `required`, 412 when it names another (or no issued) version.
 */
export function checkIfMatch(
  what: Versioned,
  ifMatch: string | undefined,
  current: number,
  opts: { required: boolean },
): void {
  if (ifMatch === undefined) {
    if (opts.required) throw new PreconditionRequired(what);
    return;
  }
  if (versionFromIfMatch(ifMatch) !== current) throw new PreconditionFailed(what);
}
