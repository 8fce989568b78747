// Property-based: every route object both builders can produce, for any
// valid ids and configuration, carries no snippet annotation, only the fixed
// annotation names with values derived from validated inputs, valid DNS
// hostnames and nothing a proxy's configuration language gives meaning to;
// and hostile input (newlines, `;`, `{}`, `#`, quotes, `$`, unicode) is
// refused — by loadConfig or by the builder — before any object is built.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ROUTE_KINDS,
  type RouterOptions,
  routeObjects,
  routerOptionsFrom,
} from '../../../core/cluster/routes/index.js';
import { INGRESS_ANNOTATIONS, openUrl } from '../../../core/cluster/routes/ingress-nginx.js';
import { isDnsName } from '../../../core/cluster/routes/validate.js';
import { ConfigError, loadConfig } from '../../../core/config.js';
import { newEnvironmentId } from '../../../core/environment/naming.js';
import { anEnvironment } from '../environment/fixtures.js';

const RUNS = { numRuns: 300 };

// ---- valid inputs ----

const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
const longLabel = fc.stringMatching(/^[a-z]([-a-z0-9]{59,61}[a-z0-9])$/);
const domain = fc
  .array(fc.oneof({ weight: 5, arbitrary: label }, { weight: 1, arbitrary: longLabel }), {
    minLength: 1,
    maxLength: 4,
  })
  .map((labels) => labels.join('.'))
  // Not an IPv4-looking name (an all-numeric last label), and room for `<envId>.`.
  .filter((d) => d.length <= 235 && !/^\d+$/.test(d.split('.').at(-1)!));
const envId = fc.uint8Array({ minLength: 10, maxLength: 10 }).map((b) => newEnvironmentId(() => b));
const ownerId = fc.stringMatching(/^[0-9a-f]{32}$/);
const apiUrl = fc
  .tuple(
    fc.constantFrom('http', 'https'),
    domain,
    // Not the scheme's default port: a URL parser drops it, and the URL must parse back to itself.
    fc.option(
      fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 80 && p !== 443),
      {
        nil: undefined,
      },
    ),
    fc.array(
      // Dot segments are normalised away by URL parsers (refused; see the hostile cases).
      fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/).filter((p) => p !== '.' && p !== '..'),
      { maxLength: 3 },
    ),
  )
  .map(
    ([s, h, port, path]) =>
      `${s}://${h}${port ? `:${port}` : ''}${path.map((p) => `/${p}`).join('')}`,
  );
const ref = fc.record({ namespace: label, name: label });
const options: fc.Arbitrary<RouterOptions> = fc.record({
  kind: fc.constantFrom('gateway', 'ingress-nginx'),
  domain,
  apiUrl,
  gateway: ref,
  authBackend: fc.record({
    kind: fc.constantFrom('Service', 'Backend'),
    namespace: label,
    name: label,
    port: fc.integer({ min: 1, max: 65535 }),
  }),
  ingressClass: label,
}) as fc.Arbitrary<RouterOptions>;

// ---- hostile strings ----

const HOSTILE = [
  '\n',
  '\r',
  ' ',
  '\t',
  ';',
  '{',
  '}',
  '#',
  '"',
  "'",
  '`',
  '$',
  '\\',
  'é',
  '\u2028',
  '\u0000',
  '🙂',
];
const hostile = fc
  .tuple(fc.string(), fc.constantFrom(...HOSTILE), fc.string())
  .map(([a, bad, b]) => `${a}${bad}${b}`);
/** Any string at all, hostile ones often. */
const anyString = fc.oneof(hostile, fc.string(), fc.string({ unit: 'grapheme' }));

/** Everything a proxy could read as syntax: only these characters may appear in any route field. */
const SAFE_STRING = /^[A-Za-z0-9:/._~-]*$/;

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  return out;
}

interface Rendered {
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: { hostnames?: string[]; rules?: Array<{ host?: string }>; from?: unknown; to?: unknown };
}

const hostsOf = (o: Rendered): string[] =>
  o.kind === 'HTTPRoute'
    ? (o.spec.hostnames ?? [])
    : o.kind === 'Ingress'
      ? (o.spec.rules ?? []).map((r) => r.host ?? '')
      : [];

describe('route objects (property-based)', () => {
  it('valid ids and configuration: fixed annotations with derived values, DNS hosts, only safe characters', () => {
    fc.assert(
      fc.property(envId, ownerId, options, fc.string(), (id, owner, opts, displayName) => {
        // A full environment, with whatever display name: only its ids may be used.
        const marker = `\u2603${displayName}`;
        const env = anEnvironment({
          id,
          ownerId: owner,
          spec: { ...anEnvironment().spec, name: marker },
        });
        const objects = routeObjects(env, opts);
        expect(objects.map((o) => o.kind)).toEqual([
          ...(opts.kind === 'gateway' ? ['ReferenceGrant'] : []),
          ...ROUTE_KINDS[opts.kind].map((k) => k.kind),
        ]);
        const allowedValues = new Set([
          `${opts.apiUrl}/auth/verify`,
          openUrl(opts.apiUrl, id),
          'true',
          '3600',
        ]);
        for (const o of objects as unknown as Rendered[]) {
          const annotations = o.metadata.annotations ?? {};
          for (const [k, v] of Object.entries(annotations)) {
            expect(k).not.toMatch(/snippet/i);
            expect(INGRESS_ANNOTATIONS as readonly string[]).toContain(k);
            expect(allowedValues.has(v)).toBe(true);
          }
          if (o.kind !== 'Ingress') expect(o.metadata.annotations).toBeUndefined();
          // The check sees only headers Envoy vouches for, plus these; never a client's X-Forwarded-Host.
          if (o.kind === 'SecurityPolicy')
            expect(
              (o.spec as { extAuth?: { headersToExtAuth?: string[] } }).extAuth?.headersToExtAuth,
            ).toEqual(['cookie', 'x-forwarded-proto', 'upgrade']);
          for (const h of hostsOf(o)) {
            expect(h).toBe(`${id}.${opts.domain}`);
            expect(isDnsName(h)).toBe(true);
          }
          if (o.kind === 'ReferenceGrant') {
            // The user's, in the auth backend's namespace, consenting to that namespace only.
            expect(o.metadata.name).toBe(`lab-${owner}-extauth`);
            expect(o.metadata.namespace).toBe(opts.authBackend.namespace);
            expect(o.metadata.labels).toEqual({
              'app.kubernetes.io/managed-by': 'lablease',
              'lablease.dev/user': owner,
            });
            expect(o.spec).toEqual({
              from: [
                {
                  group: 'gateway.envoyproxy.io',
                  kind: 'SecurityPolicy',
                  namespace: `lab-${owner}`,
                },
              ],
              to: [
                {
                  group: opts.authBackend.kind === 'Backend' ? 'gateway.envoyproxy.io' : '',
                  kind: opts.authBackend.kind,
                  name: opts.authBackend.name,
                },
              ],
            });
          } else {
            expect(o.metadata.name).toBe(id);
            expect(o.metadata.namespace).toBe(`lab-${owner}`);
            expect(o.metadata.labels).toEqual({
              'app.kubernetes.io/managed-by': 'lablease',
              'lablease.dev/user': owner,
              'lablease.dev/env': id,
            });
          }
          for (const s of strings(o)) {
            expect(s).toMatch(SAFE_STRING);
            expect(s).not.toContain('\u2603');
          }
        }
      }),
      RUNS,
    );
  });

  it('hostile ids are refused before any object is built', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyString,
          envId.map((id) => `${id}\n`),
        ),
        ownerId,
        options,
        (id, owner, opts) => {
          fc.pre(!/^e[a-z2-7]{16}$/.test(id));
          expect(() => routeObjects({ id, ownerId: owner }, opts)).toThrow();
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(envId, anyString, options, (id, owner, opts) => {
        fc.pre(!/^[0-9a-f]{32}$/.test(owner));
        expect(() => routeObjects({ id, ownerId: owner }, opts)).toThrow();
      }),
      RUNS,
    );
  });

  it('hostile options are refused by the builders, field by field', () => {
    const fields: Array<(o: RouterOptions, s: string) => RouterOptions> = [
      (o, s) => ({ ...o, domain: s }),
      (o, s) => ({ ...o, domain: `${o.domain}${s}` }),
      (o, s) => ({ ...o, apiUrl: `${o.apiUrl}/${s}` }),
      (o, s) => ({ ...o, apiUrl: s }),
      (o, s) => ({ ...o, gateway: { ...o.gateway, name: s } }),
      (o, s) => ({ ...o, gateway: { ...o.gateway, namespace: s } }),
      (o, s) => ({ ...o, authBackend: { ...o.authBackend, name: s } }),
      (o, s) => ({ ...o, authBackend: { ...o.authBackend, namespace: s } }),
      (o, s) => ({ ...o, authBackend: { ...o.authBackend, kind: s as 'Service' } }),
      (o, s) => ({ ...o, ingressClass: s }),
      (o, s) => ({ ...o, kind: s as 'gateway' }),
    ];
    fc.assert(
      fc.property(
        envId,
        ownerId,
        options,
        hostile,
        fc.integer({ min: 0, max: fields.length - 1 }),
        (id, owner, opts, bad, field) => {
          const broken = fields[field]!(opts, bad);
          expect(() => routeObjects({ id, ownerId: owner }, broken)).toThrow(ConfigError);
        },
      ),
      RUNS,
    );
    // Out-of-range numbers and over-long names too.
    const base: RouterOptions = {
      kind: 'gateway',
      domain: 'env.example.org',
      apiUrl: 'https://api.example.org',
      gateway: { namespace: 'lablease-system', name: 'lablease' },
      authBackend: { kind: 'Backend', namespace: 'lablease-system', name: 'api', port: 443 },
      ingressClass: 'nginx',
    };
    const env = { id: 'eabcdefghijklmnop', ownerId: '0123456789abcdef0123456789abcdef' };
    expect(routeObjects(env, base)).toHaveLength(3);
    for (const broken of [
      { ...base, authBackend: { ...base.authBackend, port: 0 } },
      { ...base, authBackend: { ...base.authBackend, port: 65536 } },
      { ...base, authBackend: { ...base.authBackend, port: 1.5 } },
      {
        ...base,
        domain: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}`,
      },
      { ...base, domain: 'a..b' },
      { ...base, domain: 'Env.example.org' },
      { ...base, apiUrl: 'https://api.example.org/' },
      { ...base, apiUrl: 'https://user@api.example.org' },
      { ...base, apiUrl: 'https://api.example.org/a?b=1' },
      { ...base, apiUrl: 'javascript://api.example.org' },
      { ...base, apiUrl: 'https://api.example.org/a/../b' },
      { ...base, apiUrl: 'https://api.example.org:443' },
      { ...base, apiUrl: 'http://a.0' },
      { ...base, domain: 'example.0' },
      { ...base, ingressClass: 'x'.repeat(64) },
    ])
      expect(() => routeObjects(env, broken as RouterOptions)).toThrow(ConfigError);
  });

  it('loadConfig refuses hostile values of every setting that reaches a route object', () => {
    const settings: Array<[string, (bad: string) => string]> = [
      ['ENVIRONMENTS_DOMAIN', (bad) => `env${bad}.example.org`],
      ['API_URL', (bad) => `https://api.example.org/${bad}`],
      ['LABLEASE_GATEWAY', (bad) => `lablease-system/gw${bad}`],
      ['LABLEASE_GATEWAY_AUTH_BACKEND', (bad) => `Backend/lablease-system/api${bad}:443`],
      ['LABLEASE_INGRESS_CLASS', (bad) => `nginx${bad}`],
      ['LABLEASE_ROUTER', (bad) => `gateway${bad}`],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...settings),
        fc.constantFrom(...HOSTILE.filter((c) => c.trim() !== '' && c !== '\u0000')),
        fc.string({ maxLength: 5 }),
        ([name, make], bad, tail) => {
          // URL parsing drops some characters (tabs, newlines) or percent-encodes others;
          // either way nothing hostile may survive into the configuration.
          let config: ReturnType<typeof loadConfig> | undefined;
          try {
            config = loadConfig({ [name]: make(`${bad}${tail}`) });
          } catch (err) {
            expect(err).toBeInstanceOf(ConfigError);
            return;
          }
          throw new Error(
            `accepted ${name}=${JSON.stringify(make(bad + tail))}: ${JSON.stringify(config.router)}`,
          );
        },
      ),
      RUNS,
    );
    // Whitespace and newlines too (URL parsers strip some of them silently).
    for (const bad of ['\n', '\r\n', ' ', '\t'])
      for (const [name, make] of settings)
        expect(() => loadConfig({ [name]: make(bad) }), `${name} ${JSON.stringify(bad)}`).toThrow(
          ConfigError,
        );
  });

  it('valid configuration loads and builds (the defaults and both routers)', () => {
    fc.assert(
      fc.property(envId, ownerId, options, (id, owner, o) => {
        const config = loadConfig({
          LABLEASE_ROUTER: o.kind,
          ENVIRONMENTS_DOMAIN: `${o.domain}:8780`,
          API_URL: o.apiUrl,
          LABLEASE_GATEWAY: `${o.gateway.namespace}/${o.gateway.name}`,
          LABLEASE_GATEWAY_AUTH_BACKEND: `${o.authBackend.kind}/${o.authBackend.namespace}/${o.authBackend.name}:${o.authBackend.port}`,
          LABLEASE_INGRESS_CLASS: o.ingressClass,
        });
        expect(routerOptionsFrom(config)).toEqual(o);
        expect(
          routeObjects({ id, ownerId: owner }, routerOptionsFrom(config)).length,
        ).toBeGreaterThan(0);
      }),
      { numRuns: 100 },
    );
    expect(routerOptionsFrom(loadConfig({}))).toMatchObject({
      kind: 'gateway',
      domain: 'env.localhost',
    });
  });
});
