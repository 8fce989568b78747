// Settings and tiers, versioned: a write names the version it read (the
// ETag) and is refused with 412 when someone saved in between.
import type { Settings } from '../environment/model.js';
import { ValidationFailed } from '../errors.js';
import { type Actor, audited } from './audited.js';
import { settingsMisfits } from './consistency.js';
import type { AdminDeps } from './deps.js';
import { PreconditionFailed, PreconditionRequired } from './errors.js';

type Deps = Pick<AdminDeps, 'catalog' | 'audit' | 'now'>;

export const etagOf = (version: number) => `"${version}"`;

/** The version an If-Match header names, or undefined when it names none we issue. */
export function versionFromIfMatch(header: string): number | undefined {
  const m = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  return m ? Number(m[1]) : undefined;
}

export function readSettings(deps: Pick<AdminDeps, 'catalog'>) {
  return deps.catalog.versionedSettings();
}

export function updateSettings(
  deps: Deps,
  actor: Actor,
  settings: Settings,
  ifMatch: string | undefined,
): Promise<{ settings: Settings; version: number }> {
  return audited(deps, actor, { action: 'settings.update', target: 'settings' }, async () => {
    if (ifMatch === undefined) throw new PreconditionRequired();
    const expected = versionFromIfMatch(ifMatch);
    const current = await deps.catalog.versionedSettings();
    if (expected !== current.version) throw new PreconditionFailed();
    const errors = settingsMisfits(settings, await deps.catalog.list());
    if (errors.length) throw new ValidationFailed(errors);
    // The version check above gives the readable answer; the conditional write is the guarantee.
    if (!(await deps.catalog.saveSettings(settings, expected === 0 ? undefined : expected)))
      throw new PreconditionFailed();
    return { settings, version: expected + 1 };
  });
}
