// Starts that cannot succeed end as Failed with the cluster's own reason and
// message, readable from the API — instead of waiting out a global timeout.
import { describe, expect, it } from 'vitest';
import { createUser, eventually, setupPlatform } from '../support/platform.js';

const ctx = setupPlatform();

interface Env {
  id: string;
  status: {
    phase: string;
    failure: { reason: string; message: string } | null;
    events: Array<{ reason: string; message: string }>;
  };
}

async function launch(tier: string, templateId: string, script?: (ns: string) => void) {
  const user = await createUser(ctx.platform, { tier });
  script?.(`lab-${user.userId}`);
  const created = await user.json<Env>('/api/v1/environments', {
    method: 'POST',
    body: { name: 'Doomed', templateId },
  });
  expect(created.status).toBe(202);
  const env = await eventually(
    'the start to end',
    async () => (await user.json<Env>(`/api/v1/environments/${created.body.id}`)).body,
    (e) => e.status.phase === 'Failed' || e.status.phase === 'Running',
    45_000,
  );
  return { user, env };
}

const sim = () => ctx.platform.cluster.kubesim!.simulation;

describe('a start that cannot succeed', () => {
  it('ends Failed on an image that cannot be pulled', async () => {
    const { env } = await launch('free', 'agent-api', (ns) =>
      sim().scriptNamespace(ns, 'ErrImagePull'),
    );
    expect(env.status.phase).toBe('Failed');
    expect(env.status.failure?.reason).toMatch(/ImagePullBackOff|ErrImagePull/);
    expect(env.status.failure?.message).toMatch(/pull/i);
  }, 60_000);

  it('ends Failed on an image that runs as root, with the kubelet’s message', async () => {
    const { env } = await launch('free', 'agent-api', (ns) =>
      sim().scriptNamespace(ns, 'CreateContainerConfigError'),
    );
    expect(env.status.phase).toBe('Failed');
    expect(env.status.failure).toMatchObject({ reason: 'CreateContainerConfigError' });
    expect(env.status.failure?.message).toContain(
      'container has runAsNonRoot and image will run as root',
    );
  }, 60_000);

  it('ends Failed on a crash loop', async () => {
    const { env } = await launch('free', 'agent-api', (ns) =>
      sim().scriptNamespace(ns, 'CrashLoopBackOff'),
    );
    expect(env.status.phase).toBe('Failed');
    expect(env.status.failure?.reason).toBe('CrashLoopBackOff');
  }, 60_000);
});

describe('another user’s environment', () => {
  it('answers 404 on every route, as if it did not exist', async () => {
    const owner = await createUser(ctx.platform, { tier: 'free' });
    const other = await createUser(ctx.platform, { tier: 'free' });
    const { body } = await owner.json<Env>('/api/v1/environments', {
      method: 'POST',
      body: { name: 'Mine', templateId: 'agent-api' },
    });
    const id = body.id;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/environments/${id}`],
      ['GET', `/api/v1/environments/${id}/events`],
      ['POST', `/api/v1/environments/${id}/start`],
      ['POST', `/api/v1/environments/${id}/stop`],
      ['DELETE', `/api/v1/environments/${id}`],
      ['POST', `/api/v1/environments/${id}/data/delete`, { confirm: 'Mine' }],
      ['POST', `/api/v1/environments/${id}/data/restore`],
    ];
    for (const [method, path, payload] of routes) {
      const res = await other.json<{ status: number; title: string }>(path, {
        method,
        body: payload,
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.res.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await other.json<{ items: unknown[] }>('/api/v1/environments')).body.items).toEqual([]);
    // And nothing changed for the owner.
    const mine = await owner.json<{ desiredState: string; generation: number }>(
      `/api/v1/environments/${id}`,
    );
    expect(mine.body).toMatchObject({ desiredState: 'running', generation: 1 });
  });
});

describe('a cluster out of capacity', () => {
  it('shows the scheduler’s reason while the environment waits', async () => {
    await sim().setNodeCapacity({ cpu: '100m' });
    try {
      const user = await createUser(ctx.platform, { tier: 'free' });
      const created = await user.json<Env>('/api/v1/environments', {
        method: 'POST',
        body: { name: 'Big', templateId: 'agent-api' },
      });
      type Scheduled = Env & {
        status: {
          conditions: Array<{ type: string; status: string; reason: string; message: string }>;
        };
      };
      const env = await eventually(
        'the Unschedulable reason',
        async () => (await user.json<Scheduled>(`/api/v1/environments/${created.body.id}`)).body,
        (e) =>
          e.status.conditions.some((c) => c.type === 'Scheduled' && c.reason === 'Unschedulable'),
      );
      expect(env.status.phase).not.toBe('Running');
      expect(env.status.phase).not.toBe('Failed'); // not yet: the scheduling step has its own deadline
      const scheduled = env.status.conditions.find((c) => c.type === 'Scheduled')!;
      expect(scheduled).toMatchObject({ status: 'False', reason: 'Unschedulable' });
      expect(scheduled.message).toContain('0/3 nodes are available: 3 Insufficient cpu.');
    } finally {
      await sim().setNodeCapacity({ cpu: '4' });
    }
  }, 60_000);
});
