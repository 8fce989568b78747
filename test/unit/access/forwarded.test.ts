// Reading the original request from a proxy's headers, strictly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  environmentOfHost,
  environmentsDomain,
  type ForwardedInput,
  parseForwarded,
  queryParam,
} from '../../../core/access/forwarded.js';

const ENV = 'eabcdefghijklmnop';
const domain = environmentsDomain('env.localhost');
const withPort = environmentsDomain('env.localhost:8780');

function input(
  headers: Record<string, string>,
  at: { path?: string; query?: string; method?: string } = {},
): ForwardedInput {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    path: at.path ?? '/auth/verify',
    query: at.query ?? '',
    method: at.method ?? 'GET',
    header: (name) => lower[name],
  };
}

describe('environmentOfHost', () => {
  it.each([
    [`${ENV}.env.localhost`, domain, ENV],
    [`${ENV}.env.localhost:8780`, domain, ENV],
    [`${ENV.toUpperCase()}.ENV.LOCALHOST`, domain, ENV],
    [`${ENV}.env.localhost:8780`, withPort, ENV],
    [`${ENV}.env.localhost`, withPort, ENV],
  ])('%s is environment %s', (host, d, envId) => {
    expect(environmentOfHost(host, d)).toBe(envId);
  });

  it.each([
    'env.localhost',
    `${ENV}.env.localhost.evil.example`,
    `${ENV}.evil.example`,
    `x.${ENV}.env.localhost`,
    `${ENV}x.env.localhost`,
    `api.env.localhost`,
    `e0000000000000000.env.localhost`,
    `${ENV}.env.localhost:8781`,
    `${ENV}.env.localhost:abc`,
    `${ENV}.env.localhost/x`,
    `user@${ENV}.env.localhost`,
    `${ENV}.env.localhost ,evil`,
    '',
  ])('%s is not an environment host', (host) => {
    expect(environmentOfHost(host, withPort)).toBeUndefined();
  });

  it('finds no environment in arbitrary hosts unless they are exactly one', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (host) => {
        const envId = environmentOfHost(host, domain);
        if (envId)
          expect(host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '')).toBe(
            `${envId}.env.localhost`,
          );
      }),
    );
  });
});

describe('parseForwarded', () => {
  it('reads nginx-style X-Forwarded-* headers', () => {
    const r = parseForwarded(
      input({
        'X-Forwarded-Host': `${ENV}.env.localhost:8780`,
        'X-Forwarded-Uri': '/lab/tree?x=1',
        'X-Forwarded-Method': 'post',
        'X-Forwarded-Proto': 'https',
      }),
      withPort,
    );
    expect(r).toEqual({
      ok: true,
      request: {
        envId: ENV,
        path: '/lab/tree',
        query: 'x=1',
        method: 'POST',
        proto: 'https',
        upgrade: false,
        form: 'subrequest',
      },
    });
  });

  it("reads ingress-nginx's X-Original-URL and X-Original-Method", () => {
    const r = parseForwarded(
      input({
        'X-Original-URL': `https://${ENV}.env.localhost/api/kernels?token=no`,
        'X-Original-Method': 'DELETE',
      }),
      domain,
    );
    expect(r.ok && r.request).toMatchObject({
      envId: ENV,
      path: '/api/kernels',
      query: 'token=no',
      method: 'DELETE',
      proto: 'https',
      form: 'subrequest',
    });
  });

  it('prefers explicit X-Forwarded-* over X-Original-URL when they name the same host', () => {
    const r = parseForwarded(
      input({
        'X-Original-URL': `https://${ENV}.env.localhost:8780/a`,
        'X-Forwarded-Host': `${ENV.toUpperCase()}.env.localhost:8780`,
        'X-Forwarded-Uri': '/b',
      }),
      domain,
    );
    expect(r.ok && r.request).toMatchObject({ envId: ENV, path: '/b' });
  });

  it("refuses a client's X-Forwarded-Host naming another environment than X-Original-URL (ingress-nginx passes it through)", () => {
    // User B, holding a cookie for B, asks A's host through ingress-nginx with X-Forwarded-Host: B.
    const r = parseForwarded(
      input({
        'X-Original-URL': `https://eqqqqqqqqqqqqqqqq.env.localhost/`,
        'X-Original-Method': 'GET',
        'X-Forwarded-Host': `${ENV}.env.localhost`,
      }),
      domain,
    );
    expect(r).toMatchObject({ ok: false, status: 400 });
    // Nor a host outside the domain in X-Original-URL behind a good X-Forwarded-Host.
    expect(
      parseForwarded(
        input({
          'X-Original-URL': 'https://evil.example/',
          'X-Forwarded-Host': `${ENV}.env.localhost`,
        }),
        domain,
      ),
    ).toMatchObject({ ok: false, status: 400 });
  });

  it("reads Envoy's path-prefix form: original method, path and Host", () => {
    const r = parseForwarded(
      input(
        { Host: `${ENV}.env.localhost`, Upgrade: 'websocket' },
        { path: '/auth/verify/api/kernels/1/channels', query: 'session_id=2', method: 'GET' },
      ),
      domain,
    );
    expect(r).toEqual({
      ok: true,
      request: {
        envId: ENV,
        path: '/api/kernels/1/channels',
        query: 'session_id=2',
        method: 'GET',
        proto: 'http',
        upgrade: true,
        form: 'path-prefix',
      },
    });
  });

  it('never takes the Host header in the subrequest form (it is the API host there)', () => {
    expect(parseForwarded(input({ Host: `${ENV}.env.localhost` }), domain)).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it.each([
    [{ 'X-Forwarded-Host': 'evil.example' }, 403],
    [{ 'X-Forwarded-Host': `${ENV}.env.localhost, evil.example` }, 400],
    [{ 'X-Forwarded-Host': `${ENV}.env.localhost`, 'X-Forwarded-Uri': 'lab' }, 400],
    [{ 'X-Forwarded-Host': `${ENV}.env.localhost`, 'X-Forwarded-Uri': '/a b' }, 400],
    [{ 'X-Forwarded-Host': `${ENV}.env.localhost`, 'X-Forwarded-Uri': '/a\nb' }, 400],
    [
      { 'X-Forwarded-Host': `${ENV}.env.localhost`, 'X-Forwarded-Uri': `/${'a'.repeat(9000)}` },
      400,
    ],
    [{ 'X-Forwarded-Host': `${ENV}.env.localhost`, 'X-Forwarded-Method': 'G E T' }, 400],
    [{ 'X-Original-URL': 'not a url' }, 400],
    [{ 'X-Original-URL': 'https://evil.example/' }, 403],
    [{}, 400],
  ])('refuses %j with %i', (headers, status) => {
    expect(parseForwarded(input(headers), domain)).toMatchObject({ ok: false, status });
  });
});

describe('queryParam', () => {
  it('decodes one parameter', () => {
    expect(queryParam('code=llcode_x&next=%2Flab', 'next')).toBe('/lab');
    expect(queryParam('codes=1&code=2', 'code')).toBe('2');
    expect(queryParam('next=%E0%A4%A', 'next')).toBeUndefined();
    expect(queryParam('', 'code')).toBeUndefined();
  });
});
