// The forward-auth decision with in-memory ports: codes, cookies, re-issue,
// the Envoy form, and activity counted without ever failing a request.
import { beforeEach, describe, expect, it } from 'vitest';
import { ActivityThrottle, activityRecorder } from '../../../core/access/activity.js';
import { environmentsDomain } from '../../../core/access/forwarded.js';
import { EnvironmentTokens } from '../../../core/access/tokens.js';
import { safeNext, type VerifyDeps, verifyAccess } from '../../../core/access/verify.js';
import { generateSigningKey } from '../../../core/auth/access-token.js';
import { hashSecret, newSecret } from '../../../core/auth/secrets.js';
import type { RedeemedCode } from '../../../core/store/access-codes.js';

const A = 'eaaaaaaaaaaaaaaaa';
const B = 'ebbbbbbbbbbbbbbbb';
const owner = '0123456789abcdef0123456789abcdef';
const stranger = 'fedcba9876543210fedcba9876543210';
const host = `${A}.env.localhost:8780`;

let clock: { now: Date };
let codes: Map<string, RedeemedCode & { envId: string }>;
let users: Map<string, { id: string; role: 'admin' | 'user'; disabled: boolean }>;
let writes: string[];
let failWrites: boolean;
let logged: string[];
let deps: VerifyDeps;
let tokens: EnvironmentTokens;

beforeEach(async () => {
  clock = { now: new Date('2026-11-22T10:00:00Z') };
  codes = new Map();
  users = new Map([[owner, { id: owner, role: 'user', disabled: false }]]);
  writes = [];
  failWrites = false;
  logged = [];
  const now = () => clock.now;
  tokens = await EnvironmentTokens.fromKeys([await generateSigningKey('k')], {
    issuer: 'http://api',
    now,
  });
  deps = {
    domain: environmentsDomain('env.localhost:8780'),
    tokens,
    codes: {
      redeem: async (hash, envId) => {
        const c = codes.get(hash);
        if (!c || c.envId !== envId) return undefined;
        codes.delete(hash);
        return { userId: c.userId, ownerId: c.ownerId };
      },
    },
    // biome-ignore lint/suspicious/noExplicitAny: a User's other fields are not read here
    users: { get: async (id) => users.get(id) as any },
    activity: activityRecorder({
      environments: {
        recordActivity: async (env) => {
          if (failWrites) throw new Error('throttled by DynamoDB');
          writes.push(env.id);
          return true;
        },
      },
      throttle: new ActivityThrottle(),
      now,
      log: (message) => logged.push(message),
    }),
    apiUrl: 'http://api',
    secure: false,
    now,
  };
});

const mintCode = (envId = A, userId = owner) => {
  const code = newSecret('code');
  codes.set(hashSecret(code), { envId, userId, ownerId: owner });
  return code;
};

function check(
  headers: Record<string, string>,
  at: { path?: string; query?: string; method?: string } = {},
) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return verifyAccess(deps, {
    path: at.path ?? '/auth/verify',
    query: at.query ?? '',
    method: at.method ?? 'GET',
    header: (n) => lower[n],
    cookie: lower.cookie,
  });
}

const nginx = (uri: string, cookie?: string) =>
  check({ 'x-forwarded-host': host, 'x-forwarded-uri': uri, ...(cookie ? { cookie } : {}) });
const cookieOf = (setCookie: string | undefined) => setCookie!.split(';')[0]!;

describe('the one-time code', () => {
  it('becomes a cookie once; a replay is 401', async () => {
    const code = mintCode();
    const first = await nginx(`/.lablease/open?code=${code}&next=/`);
    expect(first.status).toBe(200);
    expect(first.headers['set-cookie']).toMatch(
      /^lablease_env=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax$/,
    );
    const replay = await nginx(
      `/.lablease/open?code=${code}&next=/`,
      cookieOf(first.headers['set-cookie']),
    );
    expect(replay.status).toBe(401);
    expect(replay.headers.location).toBe(`http://api/api/v1/environments/${A}/open`);
    expect(replay.headers['x-lablease-signin']).toBe(replay.headers.location);
  });

  it("is refused on another environment's host", async () => {
    const code = mintCode(B);
    expect((await nginx(`/.lablease/open?code=${code}`)).status).toBe(401);
  });

  it('must look like a code', async () => {
    expect((await nginx('/.lablease/open?code=llpat_x')).status).toBe(401);
  });
});

describe('the cookie', () => {
  const cookieFor = async (envId = A, userId = owner) =>
    `lablease_env=${await tokens.signCookie({ envId, userId, ownerId: owner })}`;

  it('lets its holder in with no read, and counts activity once a minute', async () => {
    const cookie = await cookieFor();
    let reads = 0;
    deps.users = {
      get: async () => {
        reads++;
        return undefined;
      },
    };
    for (let i = 0; i < 100; i++) expect((await nginx('/lab', cookie)).status).toBe(200);
    expect(reads).toBe(0);
    expect(writes).toEqual([A]);
    clock.now = new Date(clock.now.getTime() + 61_000);
    await nginx('/lab', cookie);
    expect(writes).toEqual([A, A]);
  });

  it("is 403 on another environment's host, 401 when absent or garbage", async () => {
    expect((await nginx('/', await cookieFor(B, stranger))).status).toBe(403);
    expect((await nginx('/')).status).toBe(401);
    expect((await nginx('/', 'lablease_env=a.b.c')).status).toBe(401);
  });

  it('wins over a tossed cookie of another environment, in any order', async () => {
    const mine = await cookieFor();
    const tossed = await cookieFor(B, stranger);
    expect((await nginx('/', `${tossed}; ${mine}`)).status).toBe(200);
    expect((await nginx('/', `${mine}; ${tossed}`)).status).toBe(200);
  });

  it('leads to sign-in, not 403, when my own expired beside a tossed one', async () => {
    const mine = await cookieFor();
    clock.now = new Date(clock.now.getTime() + 20 * 60_000);
    const tossed = await cookieFor(B, stranger);
    expect((await nginx('/', `${tossed}; ${mine}`)).status).toBe(401);
  });

  it("ignores the API's session cookies entirely", async () => {
    const api = await cookieFor();
    const value = api.split('=')[1];
    expect((await nginx('/', `__Host-lablease_access=${value}`)).status).toBe(401);
  });

  it('is re-issued past half its life after one read of the user', async () => {
    const cookie = await cookieFor();
    clock.now = new Date(clock.now.getTime() + 8 * 60_000);
    const res = await nginx('/', cookie);
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toMatch(/^lablease_env=/);
    expect(cookieOf(res.headers['set-cookie'])).not.toBe(cookie);
  });

  it('is not re-issued to a disabled account: sign in again, cookie cleared', async () => {
    const cookie = await cookieFor();
    users.get(owner)!.disabled = true;
    clock.now = new Date(clock.now.getTime() + 8 * 60_000);
    const res = await nginx('/', cookie);
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toMatch(/^lablease_env=; Path=\/; Max-Age=0/);
  });

  it('is let through when the activity write fails (and that is logged)', async () => {
    failWrites = true;
    expect((await nginx('/', await cookieFor())).status).toBe(200);
    expect(logged).toEqual(['activity write failed']);
  });
});

describe("Envoy's path-prefix form", () => {
  const envoy = (path: string, query = '', headers: Record<string, string> = {}, method = 'GET') =>
    check({ host, ...headers }, { path: `/auth/verify${path}`, query, method });

  it('sets the cookie with a redirect to next (a denial Envoy passes on to the browser)', async () => {
    const code = mintCode();
    const res = await envoy('/.lablease/open', `code=${code}&next=%2Flab%3Fa%3D1`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/lab?a=1');
    expect(res.headers['set-cookie']).toMatch(/^lablease_env=/);
  });

  it('sends a navigation without a credential to Open; a POST gets 401', async () => {
    const nav = await envoy('/lab');
    expect(nav.status).toBe(302);
    expect(nav.headers.location).toBe(`http://api/api/v1/environments/${A}/open`);
    expect((await envoy('/api/x', '', {}, 'POST')).status).toBe(401);
  });

  it('re-issues by a 307 to the same URI, but never on a websocket handshake', async () => {
    const cookie = `lablease_env=${await tokens.signCookie({ envId: A, userId: owner, ownerId: owner })}`;
    clock.now = new Date(clock.now.getTime() + 8 * 60_000);
    const res = await envoy('/lab/tree', 'x=1', { cookie });
    expect(res).toMatchObject({ status: 307, headers: { location: '/lab/tree?x=1' } });
    const ws = await envoy('/api/kernels/1/channels', '', { cookie, upgrade: 'websocket' });
    expect(ws.status).toBe(200);
  });
});

describe('safeNext', () => {
  it.each([
    ['/lab?x=1', '/lab?x=1'],
    [undefined, '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['/a b', '/'],
    ['/a\nb', '/'],
  ])('%j → %j', (next, want) => {
    expect(safeNext(next)).toBe(want);
  });
});
