// The default settings are a fresh value each time: editing one copy (an
// admin's draft, a test) never changes the defaults everyone else reads.
import { expect, it } from 'vitest';
import { defaultSettings, defaultTiers } from '../../../core/environment/model.js';

it('hands out independent copies of the default tiers', () => {
  const mine = defaultSettings();
  mine.tiers.free!.maxRunning = 99;
  expect(defaultSettings().tiers.free?.maxRunning).toBe(defaultTiers.free.maxRunning);
  expect(defaultTiers.free.maxRunning).not.toBe(99);
});
