import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../core/environment/model.js';
import {
  availableTemplates,
  checkCreate,
  checkStart,
  cullDecision,
  cullLimits,
  LimitReached,
  resolveSpec,
  tierLimits,
  UnknownTier,
} from '../../../core/environment/policies.js';
import { ValidationFailed } from '../../../core/errors.js';
import { aTemplate, proLimits } from './fixtures.js';

const context = (patch = {}) => ({
  template: aTemplate(),
  tier: 'pro',
  limits: proLimits,
  volumeName: 'eabcdefghijklmnop-workspace',
  ...patch,
});

function fieldErrors(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationFailed);
    return (err as ValidationFailed).fieldErrors;
  }
  throw new Error('expected ValidationFailed');
}

describe('resolveSpec', () => {
  it('takes the template defaults and the smaller volume size', () => {
    const spec = resolveSpec({ name: ' Thesis ', templateId: 'jupyterlab' }, context());
    expect(spec).toEqual({
      name: 'Thesis',
      templateId: 'jupyterlab',
      resources: { cpu: '500m', memory: '1Gi' },
      volume: { name: 'eabcdefghijklmnop-workspace', sizeGi: 10 },
    });
    const small = resolveSpec(
      { name: 'x', templateId: 'jupyterlab' },
      context({ limits: { ...proLimits, volumeSizeGi: 5 } }),
    );
    expect(small.volume.sizeGi).toBe(5);
  });

  it('canonicalises requested resources', () => {
    const spec = resolveSpec(
      { name: 'x', templateId: 'jupyterlab', resources: { cpu: '2000m', memory: '2048Mi' } },
      context(),
    );
    expect(spec.resources).toEqual({ cpu: '2', memory: '2Gi' });
  });

  it('refuses resources above the template or the tier, naming the bound', () => {
    const errors = fieldErrors(() =>
      resolveSpec(
        { name: 'x', templateId: 'jupyterlab', resources: { cpu: '3', memory: '32Gi' } },
        context({ limits: { ...proLimits, maxCpu: '2' } }),
      ),
    );
    expect(errors).toEqual([
      { field: 'resources.cpu', message: 'cpu must be at most 2' },
      { field: 'resources.memory', message: 'memory must be at most 16Gi' },
    ]);
  });

  it('reports every bad field at once', () => {
    const errors = fieldErrors(() =>
      resolveSpec(
        { name: '\u0007', templateId: 'jupyterlab', resources: { cpu: 'lots' } },
        context(),
      ),
    );
    expect(errors?.map((e) => e.field)).toEqual(['name', 'resources.cpu']);
  });

  it.each([
    ['unknown', undefined],
    ['disabled', aTemplate({ enabled: false })],
    ['not for this tier', aTemplate({ tiers: ['pro'] })],
  ])('answers a template that is %s as not available', (_what, template) => {
    const errors = fieldErrors(() =>
      resolveSpec({ name: 'x', templateId: 'jupyterlab' }, context({ template, tier: 'free' })),
    );
    expect(errors).toEqual([
      { field: 'templateId', message: 'no such template is available to you' },
    ]);
  });
});

describe('quotas', () => {
  const settings = { ...defaultSettings(), maxRunningGlobal: 100 };

  it.each([
    [{ running: 2, total: 5, globalRunning: 10 }, undefined],
    [
      { running: 3, total: 5, globalRunning: 10 },
      'limit of 3 running environments reached; stop one first',
    ],
    [
      { running: 0, total: 10, globalRunning: 10 },
      'limit of 10 environments reached; delete one first',
    ],
    [
      { running: 0, total: 0, globalRunning: 100 },
      "the installation's limit of 100 running environments is reached; try again later",
    ],
  ])('create with %o → %s', (usage, detail) => {
    const act = () => checkCreate(usage, proLimits, settings);
    if (!detail) return expect(act).not.toThrow();
    expect(act).toThrow(LimitReached);
    expect(act).toThrow(detail);
  });

  it('a reached limit is a 409 a client can act on, naming the limit', () => {
    try {
      checkStart({ running: 1, globalRunning: 0 }, { ...proLimits, maxRunning: 1 }, settings);
    } catch (err) {
      expect(err).toMatchObject({ status: 409, code: 'limit-reached', limit: 'running', max: 1 });
      expect((err as Error).message).toBe('limit of 1 running environment reached; stop one first');
      return;
    }
    throw new Error('expected LimitReached');
  });

  it('knows configured tiers only', () => {
    expect(tierLimits(settings, 'pro').maxRunning).toBe(3);
    expect(() => tierLimits(settings, 'gold')).toThrow(UnknownTier);
    expect(() => tierLimits(settings, '__proto__')).toThrow(UnknownTier);
  });

  it('lists the templates a tier may use', () => {
    const templates = [
      aTemplate({ id: 'a' }),
      aTemplate({ id: 'b', tiers: ['pro'] }),
      aTemplate({ id: 'c', enabled: false }),
    ];
    expect(availableTemplates(templates, 'free').map((t) => t.id)).toEqual(['a']);
    expect(availableTemplates(templates, 'pro').map((t) => t.id)).toEqual(['a', 'b']);
  });
});

describe('culling', () => {
  const limits = { ...proLimits, idleTimeoutMinutes: 60, maxLifetimeHours: 8 };
  const settings = { cullWarningMinutes: 10 };
  const startedAt = '2026-03-01T08:00:00.000Z';

  it.each([
    [
      'idle after the last activity',
      '2026-03-01T09:00:00.000Z',
      '2026-03-01T09:30:00.000Z',
      '2026-03-01T10:00:00.000Z',
      'Idle',
      false,
      false,
    ],
    [
      'warned inside the window',
      '2026-03-01T09:00:00.000Z',
      '2026-03-01T09:55:00.000Z',
      '2026-03-01T10:00:00.000Z',
      'Idle',
      true,
      false,
    ],
    [
      'culled when due',
      '2026-03-01T09:00:00.000Z',
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T10:00:00.000Z',
      'Idle',
      true,
      true,
    ],
    [
      'at most its lifetime',
      '2026-03-01T15:50:00.000Z',
      '2026-03-01T16:00:00.000Z',
      '2026-03-01T16:00:00.000Z',
      'MaxLifetime',
      true,
      true,
    ],
    [
      'idle from its start without activity',
      undefined,
      '2026-03-01T08:30:00.000Z',
      '2026-03-01T09:00:00.000Z',
      'Idle',
      false,
      false,
    ],
  ])('%s', (_what, lastActivityAt, now, cullAt, reason, warn, cull) => {
    const d = cullDecision({ startedAt, lastActivityAt }, limits, settings, new Date(now));
    expect(d).toEqual({ cullAt: new Date(cullAt), reason, warn, cull });
  });

  it('takes the stricter of the tier and the template', () => {
    expect(cullLimits(limits, { idleTimeoutMinutes: 15 })).toEqual({
      idleTimeoutMinutes: 15,
      maxLifetimeHours: limits.maxLifetimeHours,
    });
    expect(cullLimits(limits, { idleTimeoutMinutes: 100_000, maxLifetimeHours: 1 })).toEqual({
      idleTimeoutMinutes: limits.idleTimeoutMinutes,
      maxLifetimeHours: 1,
    });
    expect(cullLimits(limits, undefined)).toEqual({
      idleTimeoutMinutes: limits.idleTimeoutMinutes,
      maxLifetimeHours: limits.maxLifetimeHours,
    });
  });

  it('has nothing to say about an environment that has not started', () => {
    expect(cullDecision({}, limits, settings, new Date())).toBeUndefined();
  });
});
