// The local router's pure parts: route objects → the route table (strict
// validation), the table → nginx.conf (nothing unvalidated in it), and the
// Node router's cookie and `next` rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type NginxConfigOptions,
  renderNginxConfig,
} from '../../stacks/local/router/nginx-config.js';
import { safeNext, scrubCookies } from '../../stacks/local/router/node-router.js';
import { forbiddenPage, stoppedPage } from '../../stacks/local/router/pages.js';
import {
  domainHost,
  ENV_ID,
  type EnvironmentRoute,
  envIdOfHost,
  type RouteSource,
  routeTable,
} from '../../stacks/local/router/routes.js';

const DOMAIN = 'env.localhost';
const base = {
  port: 8780,
  domain: DOMAIN,
  api: { host: '127.0.0.1' as const, port: 8787 },
  apiUrl: 'http://localhost:8787',
  webOrigin: 'http://localhost:5173',
  dir: '/tmp/lablease-router-x',
  generation: 1,
};

/** Strings that try to break out of nginx configuration, mixed with plausible ones. */
const hostile = fc.oneof(
  fc.constantFrom(
    'eaaaaaaaaaaaaaaaa',
    'eaaaaaaaaaaaaaaaa.env.localhost',
    'eaaaaaaaaaaaaaaaa.env.localhost:8780',
    'eaaaaaaaaaaaaaaaa.env.localhost;\n}',
    'eaaaaaaaaaaaaaaaa.env.localhost evil.example',
    'e"aaaaaaaaaaaaaaa.env.localhost',
    'eaaaaaaaaaaaaaaa#.env.localhost',
    'eaaaaaaaaaaaaaaaa.env.localhost.evil.example',
    'EAAAAAAAAAAAAAAAA.env.localhost',
    'lab-0123',
    'x;y',
    '{}',
    '$host',
    'é',
    'http://127.0.0.1:4000/',
    'http://127.0.0.1:4000/;evil',
    'http://10.0.0.1:4000/',
    'http://127.0.0.1:99999/',
  ),
  fc.string({ unit: 'binary' }),
  fc.string(),
);

const routeObject = fc.record({
  kind: fc.constantFrom('httproute', 'ingress'),
  host: hostile,
  namespace: fc.oneof(fc.constant('lab-0123abcd'), hostile),
  service: fc.oneof(fc.constant('eaaaaaaaaaaaaaaaa'), hostile),
  endpoint: fc.oneof(fc.constant('http://127.0.0.1:4000/'), hostile),
  label: fc.option(hostile, { nil: undefined }),
});

type Fuzzed = typeof routeObject extends fc.Arbitrary<infer T> ? T : never;

function source(objects: Fuzzed[]): RouteSource {
  return {
    list(resource) {
      const kind = resource.startsWith('httproutes') ? 'httproute' : 'ingress';
      return {
        items: objects
          .filter((o) => o.kind === kind)
          .map((o) => ({
            metadata: {
              namespace: o.namespace,
              labels: (o.label === undefined ? {} : { 'lablease.dev/env': o.label }) as Record<
                string,
                string
              >,
            },
            spec:
              o.kind === 'httproute'
                ? { hostnames: [o.host], rules: [{ backendRefs: [{ name: o.service }] }] }
                : {
                    rules: [
                      {
                        host: o.host,
                        http: { paths: [{ backend: { service: { name: o.service } } }] },
                      },
                    ],
                  },
          })),
      };
    },
    serviceEndpoint: (ns, svc) =>
      objects.find((o) => o.namespace === ns && o.service === svc)?.endpoint,
  };
}

describe('the route table', () => {
  it('keeps only environment hosts on the domain, and loopback upstreams', () => {
    fc.assert(
      fc.property(fc.array(routeObject, { maxLength: 8 }), (objects) => {
        for (const r of routeTable(source(objects), DOMAIN)) {
          expect(r.envId).toMatch(ENV_ID);
          expect(r.host).toBe(`${r.envId}.${DOMAIN}`);
          if (r.upstream) {
            expect(r.upstream.host).toBe('127.0.0.1');
            expect(Number.isInteger(r.upstream.port)).toBe(true);
            expect(r.upstream.port).toBeGreaterThan(0);
            expect(r.upstream.port).toBeLessThan(65536);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads an HTTPRoute and an Ingress, first object per host', () => {
    const objects: Fuzzed[] = [
      {
        kind: 'httproute',
        host: 'eaaaaaaaaaaaaaaaa.env.localhost',
        namespace: 'lab-a',
        service: 'eaaaaaaaaaaaaaaaa',
        endpoint: 'http://127.0.0.1:4000/',
        label: 'eaaaaaaaaaaaaaaaa',
      },
      {
        kind: 'ingress',
        host: 'ebbbbbbbbbbbbbbbb.env.localhost',
        namespace: 'lab-b',
        service: 'ebbbbbbbbbbbbbbbb',
        endpoint: 'nothing',
        label: undefined,
      },
      {
        kind: 'ingress',
        host: 'ecccccccccccccccc.env.localhost',
        namespace: 'lab-c',
        service: 'ecccccccccccccccc',
        endpoint: 'http://127.0.0.1:4001/',
        label: 'eaaaaaaaaaaaaaaaa', // disagrees with its host: skipped
      },
    ];
    expect(routeTable(source(objects), DOMAIN)).toEqual<EnvironmentRoute[]>([
      {
        envId: 'eaaaaaaaaaaaaaaaa',
        host: 'eaaaaaaaaaaaaaaaa.env.localhost',
        upstream: { host: '127.0.0.1', port: 4000 },
      },
      { envId: 'ebbbbbbbbbbbbbbbb', host: 'ebbbbbbbbbbbbbbbb.env.localhost', upstream: undefined },
    ]);
  });

  it('names an environment only from a well-formed host', () => {
    expect(domainHost('env.localhost:8780')).toBe('env.localhost');
    expect(() => domainHost('env.local host')).toThrow();
    expect(envIdOfHost('eaaaaaaaaaaaaaaaa.env.localhost:8780', DOMAIN)).toBe('eaaaaaaaaaaaaaaaa');
    expect(envIdOfHost('x.eaaaaaaaaaaaaaaaa.env.localhost', DOMAIN)).toBeUndefined();
    expect(envIdOfHost('eaaaaaaaaaaaaaaaa.env.localhost.evil', DOMAIN)).toBeUndefined();
    expect(envIdOfHost('env.localhost', DOMAIN)).toBeUndefined();
  });
});

describe('nginx.conf', () => {
  it('holds, for any route objects, only server names it built from environment ids', () => {
    fc.assert(
      fc.property(fc.array(routeObject, { maxLength: 6 }), (objects) => {
        const routes = routeTable(source(objects), DOMAIN);
        const conf = renderNginxConfig({ ...base, routes });
        const names = [...conf.matchAll(/^\s*server_name (.*);$/gm)].map((m) => m[1]);
        expect(names).toHaveLength(routes.length + 2);
        for (const name of names.slice(2)) expect(name).toMatch(/^e[a-z2-7]{16}\.env\.localhost$/);
        for (const m of conf.matchAll(/proxy_pass (\S+);/g))
          expect(m[1]).toMatch(/^http:\/\/(127\.0\.0\.1:\d{1,5}|lablease_api\/auth\/verify)$/);
        expect(conf).toContain('server 127.0.0.1:8787;');
      }),
      { numRuns: 200 },
    );
  });

  it('refuses values that could break out of a directive', () => {
    const route = (envId: string, port = 4000): EnvironmentRoute => ({
      envId,
      host: `${envId}.${DOMAIN}`,
      upstream: { host: '127.0.0.1', port },
    });
    expect(() =>
      renderNginxConfig({ ...base, routes: [route('eaaaaaaaaaaaaaaaa')] }),
    ).not.toThrow();
    const refused: Array<Partial<NginxConfigOptions>> = [
      { apiUrl: 'http://localhost:8787;evil' },
      { apiUrl: 'http://localhost:8787/x y' },
      { webOrigin: 'http://localhost:5173\'"' },
      { domain: 'env.localhost;' },
      { dir: '/tmp/with space' },
      { dir: '/tmp/x;y' },
      { port: 0 },
      { generation: 1.5 },
      { routes: [route('e;evil')] },
      { routes: [route('eaaaaaaaaaaaaaaaa', 70000)] },
      { routes: [{ ...route('eaaaaaaaaaaaaaaaa'), host: 'evil.example' }] },
    ];
    for (const bad of refused) {
      expect(
        () => renderNginxConfig({ ...base, routes: [], ...bad }),
        JSON.stringify(bad),
      ).toThrow();
    }
  });

  it('checks every request of a routed host at /auth/verify, websockets included', () => {
    const conf = renderNginxConfig({
      ...base,
      routes: [
        {
          envId: 'eaaaaaaaaaaaaaaaa',
          host: `eaaaaaaaaaaaaaaaa.${DOMAIN}`,
          upstream: { host: '127.0.0.1', port: 4000 },
        },
      ],
    });
    const server = conf.slice(conf.indexOf('server_name eaaaaaaaaaaaaaaaa.env.localhost;'));
    const location = /location \/ \{([^}]*)\}/.exec(server)![1]!;
    expect(location).toContain('auth_request /.lablease/verify;');
    expect(location).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(location).toContain('proxy_set_header Cookie $lablease_cookie;');
    expect(conf).not.toMatch(/snippet/);
  });
});

describe('the pages and the Node router', () => {
  it('build pages only for environment ids and plain origins', () => {
    expect(stoppedPage('eaaaaaaaaaaaaaaaa', 'http://localhost:5173')).toContain(
      "href='http://localhost:5173/environments/eaaaaaaaaaaaaaaaa'",
    );
    expect(() => stoppedPage('e"><script>', 'http://localhost:5173')).toThrow();
    expect(() => forbiddenPage('eaaaaaaaaaaaaaaaa', 'http://x"y')).toThrow();
  });

  it('removes the platform cookies before the pod', () => {
    expect(scrubCookies('a=1; lablease_env=t; __Host-lablease_access=x; b=2')).toBe('a=1; b=2');
    expect(scrubCookies('lablease_env=t')).toBeUndefined();
    expect(scrubCookies('xlablease_env=1; lablease_envy=2')).toBe(
      'xlablease_env=1; lablease_envy=2',
    );
    expect(scrubCookies(undefined)).toBeUndefined();
  });

  it('redirects after Open to a path on the same host only', () => {
    expect(safeNext('/lab/tree?x=1')).toBe('/lab/tree?x=1');
    for (const bad of [
      null,
      '',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      '/a\nb',
    ])
      expect(safeNext(bad)).toBe('/');
  });
});
