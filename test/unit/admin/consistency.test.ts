// The catalog and the tiers checked against each other, as a table.
import { describe, expect, it } from 'vitest';
import { settingsMisfits, templateMisfits } from '../../../core/admin/consistency.js';
import { defaultSettings, type Settings } from '../../../core/environment/model.js';
import { aTemplate } from '../environment/fixtures.js';

const settings = (patch: (s: Settings) => void = () => {}) => {
  // A copy: the defaults share their tier objects with the module.
  const s = structuredClone(defaultSettings());
  patch(s);
  return s;
};

describe('templateMisfits', () => {
  it('accepts a template within every tier it names', () => {
    expect(templateMisfits(aTemplate({ tiers: ['free', 'pro'] }), settings())).toEqual([]);
  });

  it('names an unknown tier and defaults above a tier', () => {
    const t = aTemplate({
      tiers: ['free', 'gold'],
      defaultResources: { cpu: '2', memory: '4Gi' },
      maxResources: { cpu: '4', memory: '8Gi' },
    });
    expect(templateMisfits(t, settings())).toEqual([
      { field: 'defaultResources.cpu', message: expect.stringContaining('tier "free"') },
      { field: 'defaultResources.memory', message: expect.stringContaining('tier "free"') },
      { field: 'tiers', message: 'tier "gold" is not configured' },
    ]);
  });

  it('lets a disabled template be anything', () => {
    expect(templateMisfits(aTemplate({ tiers: ['gold'], enabled: false }), settings())).toEqual([]);
  });
});

describe('settingsMisfits', () => {
  const templates = [aTemplate({ id: 'small', tiers: ['free'] })];

  it('accepts the defaults', () => {
    expect(settingsMisfits(settings(), templates)).toEqual([]);
  });

  it.each([
    [
      'running above total',
      (s: Settings) => {
        s.tiers.free!.maxRunning = 5;
      },
      'tiers.free.maxRunning',
    ],
    [
      'cpu below a default',
      (s: Settings) => {
        s.tiers.free!.maxCpu = '100m';
      },
      'tiers.free.maxCpu',
    ],
    [
      'memory below a default',
      (s: Settings) => {
        s.tiers.free!.maxMemory = '64Mi';
      },
      'tiers.free.maxMemory',
    ],
    [
      'a used tier removed',
      (s: Settings) => {
        delete s.tiers.free;
      },
      'tiers.free',
    ],
  ])('refuses %s', (_what, patch, field) => {
    expect(settingsMisfits(settings(patch), templates).map((e) => e.field)).toEqual([field]);
  });

  it('refuses custom images for an unknown tier, or for tiers with no registry to launch from', () => {
    const custom = (tiers: string[], allowedRegistries: string[]) =>
      settingsMisfits(
        settings((s) => {
          s.customImages = { tiers, allowedRegistries };
        }),
        templates,
      ).map((e) => e.field);
    expect(custom([], [])).toEqual([]);
    expect(custom(['pro'], ['ghcr.io/mylab'])).toEqual([]);
    expect(custom(['pro', 'gold'], ['ghcr.io/mylab'])).toEqual(['customImages.tiers.1']);
    expect(custom(['pro'], [])).toEqual(['customImages.allowedRegistries']);
  });

  it('lets a tier no enabled template uses go', () => {
    expect(
      settingsMisfits(
        settings((s) => {
          delete s.tiers.pro;
        }),
        templates,
      ),
    ).toEqual([]);
  });
});
