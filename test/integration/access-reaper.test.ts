// Verified traffic keeps an environment alive: over five hours with the
// reaper running every five minutes (idle timeout four hours), the
// environment used through its host is never culled, the one left alone is.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../core/environment/model.js';
import { reapEnvironments } from '../../core/jobs/reaper.js';
import { bootstrapAdmin, type Call, caller, createUser } from '../support/admin.js';
import { type CookieJar, createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let call: Call;
let ann: { jar: CookieJar; id: string };

async function launch(name: string) {
  const res = await call('/api/v1/environments', {
    method: 'POST',
    jar: ann.jar,
    body: { name, templateId: 'jupyterlab' },
  });
  expect(res.status).toBe(202);
  const id = ((await res.json()) as { id: string }).id;
  // The provisioner is not running here: say it is Running, as it would.
  const env = (await t.services.environments.get(ann.id, id)) as Environment;
  await t.services.environments.writeStatus(env, {
    ...env.status,
    phase: 'Running',
    startedAt: t.clock.now.toISOString(),
  });
  return id;
}

const reap = () =>
  reapEnvironments({
    environments: t.services.environments,
    catalog: t.services.catalog,
    users: t.services.auth.users,
    queue: t.services.queue,
    audit: t.services.audit,
    now: () => t.clock.now,
    log: () => {},
  });

beforeAll(async () => {
  t = await createTestApp();
  call = caller(t);
  const admin = await bootstrapAdmin(t, call, 'root@reaper-access.test');
  ann = await createUser(call, admin.jar, { email: 'ann@reaper-access.test', tier: 'pro' });
});

describe('activity from verified traffic', () => {
  it('keeps a used environment from being culled; an unused one is culled', async () => {
    const used = await launch('Used');
    const unused = await launch('Unused');
    // Open → code → cookie, as the browser does.
    const location = new URL(
      (
        await t.app.request(`/api/v1/environments/${used}/open`, {
          headers: { cookie: ann.jar.header() },
        })
      ).headers.get('location')!,
    );
    const host = location.host;
    let cookie = '';
    const visit = async (uri: string) => {
      const res = await t.app.request('/auth/verify', {
        headers: { 'x-forwarded-host': host, 'x-forwarded-uri': uri, cookie },
      });
      // The browser keeps a renewed cookie (past half its life).
      const renewed = res.headers.get('set-cookie');
      if (renewed) cookie = renewed.split(';')[0]!;
      return res.status;
    };
    expect(await visit(`${location.pathname}${location.search}`)).toBe(200);

    for (let minute = 5; minute <= 300; minute += 5) {
      t.clock.advance(5 * 60_000);
      expect(await visit('/lab/api/kernels')).toBe(200);
      await reap();
    }
    const read = async (id: string) => (await t.services.environments.get(ann.id, id))!;
    expect((await read(used)).desiredState).toBe('running');
    expect((await read(unused)).desiredState).toBe('stopped');
    expect((await read(unused)).status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Culled', reason: 'Idle' }),
    );
  });
});
