import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../core/environment/catalog.js';
import * as Lablease from '../../../core/environment/index.js';
import {
  DisplayName,
  defaultSettings,
  Environment,
  ImageReference,
  Resources,
  Template,
} from '../../../core/environment/model.js';
import {
  canonicalCpu,
  canonicalMemory,
  formatMemory,
  parseCpu,
  parseMemory,
} from '../../../core/environment/quantity.js';
import { EnvironmentView, toView } from '../../../core/environment/view.js';
import { anEnvironment, aTemplate } from './fixtures.js';

describe('quantities', () => {
  it.each([
    ['500m', 500],
    ['2', 2000],
    ['0.5', 500],
    ['1.25', 1250],
    ['0', 0],
  ])('cpu %s is %d millicores', (q, m) => expect(parseCpu(q)).toBe(m));

  it.each(['', '1.2345', '-1', '1e3', ' 1', '1 ', '500Mi', 'm', '1.5m'])('cpu %j is refused', (q) =>
    expect(parseCpu(q)).toBeUndefined(),
  );

  it.each([
    ['1Gi', 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['1G', 1e9],
    ['1000', 1000],
    ['3Ki', 3072],
  ])('memory %s is %d bytes', (q, b) => expect(parseMemory(q)).toBe(b));

  it.each(['', '1gi', '1.5Gi', '-1Gi', '1 Gi', '1Ei', 'Gi'])('memory %j is refused', (q) =>
    expect(parseMemory(q)).toBeUndefined(),
  );

  it('formats canonically', () => {
    expect(canonicalCpu('1000m')).toBe('1');
    expect(canonicalCpu('0.5')).toBe('500m');
    expect(canonicalMemory('1024Mi')).toBe('1Gi');
    expect(canonicalMemory('1536Mi')).toBe('1536Mi');
    expect(formatMemory(1e9)).toBe('1000000000');
    expect(Resources.parse({ cpu: '2000m', memory: '2048Mi' })).toEqual({
      cpu: '2',
      memory: '2Gi',
    });
  });

  it('refuses zero resources', () => {
    expect(Resources.safeParse({ cpu: '0', memory: '1Gi' }).success).toBe(false);
  });
});

describe('display names', () => {
  it('trims and keeps any script', () => {
    expect(DisplayName.parse('  Étude 数据 🚀 ')).toBe('Étude 数据 🚀');
  });
  it.each([
    ['empty', '   '],
    ['too long', 'x'.repeat(64)],
    ['a newline', 'a\nb'],
    ['a NUL', 'a\u0000b'],
    ['a C1 control', 'a\u0085b'],
    ['a bidi override', 'abc\u202Egpj.exe'],
  ])('refuses %s', (_what, name) => expect(DisplayName.safeParse(name).success).toBe(false));
  it('counts characters, not UTF-16 units', () => {
    expect(DisplayName.safeParse('🚀'.repeat(63)).success).toBe(true);
  });
});

describe('image references', () => {
  it.each([
    'quay.io/jupyter/base-notebook:2025-01-13',
    'docker.io/library/python:3.12-slim',
    'localhost:5000/team/app',
    `ghcr.io/org/app@sha256:${'a'.repeat(64)}`,
    `registry.example.com:443/a/b/c:v1.2@sha256:${'0'.repeat(64)}`,
  ])('accepts %s', (image) => expect(ImageReference.safeParse(image).success).toBe(true));

  it.each([
    'python:3.12',
    'jupyter/base-notebook',
    'quay.io/Jupyter/base',
    'quay.io/a/b:tag with space',
    'quay.io/a/b;rm -rf /',
    'quay.io/a/b:$(id)',
    'quay.io/a/b`id`',
    'quay.io/a/b@sha256:short',
    '-quay.io/a',
    'quay.io/a/../b',
  ])('refuses %j', (image) => expect(ImageReference.safeParse(image).success).toBe(false));
});

describe('templates', () => {
  it('refuses a default above the maximum and duplicate variables', () => {
    const bad = Template.safeParse({
      ...aTemplate(),
      defaultResources: { cpu: '8', memory: '1Gi' },
      env: [
        { name: 'A', value: '1' },
        { name: 'A', value: '2' },
      ],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'defaultResources.cpu',
      'env',
    ]);
  });

  it.each([
    ['env name', { env: [{ name: 'BAD-NAME', value: 'x' }] }],
    ['port', { port: 70000 }],
    ['workspace path', { workspacePath: '/home/../etc' }],
    ['relative path', { workspacePath: 'home' }],
    ['icon over http', { icon: 'http://example.com/i.svg' }],
    ['id', { id: 'Jupyter Lab' }],
  ])('refuses a bad %s', (_what, patch) =>
    expect(Template.safeParse({ ...aTemplate(), ...patch }).success).toBe(false),
  );
});

describe('seed catalog', () => {
  const catalog = seedCatalog();

  it('has the four templates of the issue, on their ports', () => {
    expect(Object.fromEntries(catalog.map((t) => [t.id, t.port]))).toEqual({
      jupyterlab: 8888,
      streamlit: 8501,
      'code-server': 8080,
      'agent-api': 3001,
    });
  });

  it('runs Jupyter and code-server without their own auth (forward auth protects them)', () => {
    const jupyter = catalog.find((t) => t.id === 'jupyterlab')!;
    expect(jupyter.args).toContain('--IdentityProvider.token=');
    expect(catalog.find((t) => t.id === 'code-server')!.args).toContain('--auth=none');
  });

  it('offers only tiers that the default settings define', () => {
    const tiers = Object.keys(defaultSettings().tiers);
    for (const t of catalog) for (const tier of t.tiers) expect(tiers).toContain(tier);
  });
});

describe('settings', () => {
  it('defaults to free and pro tiers and 7 days of data retention', () => {
    const s = defaultSettings();
    expect(Object.keys(s.tiers)).toEqual(['free', 'pro']);
    expect(s.dataRetentionDays).toBe(7);
    expect(s.tiers.pro!.maxRunning).toBe(3);
  });
});

describe('environment', () => {
  it('round-trips a stored item', () => {
    const env = anEnvironment();
    expect(Environment.parse(JSON.parse(JSON.stringify(env)))).toEqual(env);
  });
  it('refuses a volume name that is not a DNS label', () => {
    const env = anEnvironment();
    env.spec.volume.name = 'My Volume';
    expect(Environment.safeParse(env).success).toBe(false);
  });
});

describe('view', () => {
  it('flattens the spec and hides the planner bookkeeping', () => {
    const env = anEnvironment();
    env.status = {
      ...env.status,
      phase: 'Running',
      url: 'https://x.env.test',
      progress: { step: 'Ready', since: env.createdAt, attemptSince: env.createdAt, generation: 1 },
      failure: { reason: 'Old', message: 'from an earlier attempt' },
    };
    const view = EnvironmentView.parse(toView(env));
    expect(view).toMatchObject({
      id: env.id,
      name: 'My analysis',
      templateId: 'jupyterlab',
      resources: { cpu: '500m', memory: '1Gi' },
      status: { phase: 'Running', url: 'https://x.env.test', failure: null, cullAt: null },
      dataDeletion: null,
    });
    expect(view.status).not.toHaveProperty('progress');
  });
});

describe('the module surface', () => {
  it('reads as a namespace', () => {
    const info: Lablease.Info = Lablease.Info.parse(anEnvironment());
    expect(Lablease.toView(info).id).toBe(info.id);
    expect(Lablease.plan(info, Lablease.nothingObserved(), new Date()).actions).toHaveLength(5);
    expect(() =>
      Lablease.transition(info, 'deleteData', new Date(), { dataRetentionDays: 7 }),
    ).toThrow(Lablease.TransitionNotAllowed);
  });
});
