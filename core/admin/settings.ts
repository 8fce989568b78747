// Settings and tiers, versioned: a write names the version it read (the
// ETag) and is refused with 412 when someone saved in between.
import type { Settings } from '../environment/model.js';
import { ValidationFailed } from '../errors.js';
import { type Actor, audited } from './audited.js';
import { settingsMisfits } from './consistency.js';
import type { AdminDeps } from './deps.js';
import { PreconditionFailed } from './errors.js';
import { checkIfMatch } from './versioning.js';

type Deps = Pick<AdminDeps, 'catalog' | 'audit' | 'now'>;

export function readSettings(deps: Pick<AdminDeps, 'catalog'>) {
  return deps.catalog.versionedSettings();
}

/**
 * Saves the settings whole, from the version the admin read. Custom images
 * may be left out (a client that does not know them): they then stay as they
 * are, never silently switched off or on.
 */
export function updateSettings(
  deps: Deps,
  actor: Actor,
  input: Omit<Settings, 'customImages'> & { customImages?: Settings['customImages'] },
  ifMatch: string | undefined,
): Promise<{ settings: Settings; version: number }> {
  return audited(deps, actor, { action: 'settings.update', target: 'settings' }, async () => {
    const current = await deps.catalog.versionedSettings();
    checkIfMatch('settings', ifMatch, current.version, { required: true });
    const expected = current.version;
    const settings = {
      ...input,
      customImages: input.customImages ?? current.settings.customImages,
    };
    const errors = settingsMisfits(settings, await deps.catalog.list());
    if (errors.length) throw new ValidationFailed(errors);
    // The version check above gives the readable answer; the conditional write is the guarantee.
    if (!(await deps.catalog.saveSettings(settings, expected === 0 ? undefined : expected)))
      throw new PreconditionFailed();
    return { settings, version: expected + 1 };
  });
}
