// Limits hold under parallel requests, and duplicate or concurrent intents
// create nothing twice.
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createUser, eventually, setupPlatform } from '../support/platform.js';

const ctx = setupPlatform();

interface Env {
  id: string;
  ownerId: string;
  generation: number;
  status: { phase: string; observedGeneration: number };
}

describe('parallel creates', () => {
  it('never exceed the tier: 50 at once by a user allowed 3 running → exactly 3 accepted', async () => {
    const user = await createUser(ctx.platform, { tier: 'pro' });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        user.json<Env & { detail: string }>('/api/v1/environments', {
          method: 'POST',
          body: { name: `Burst ${i}`, templateId: 'agent-api' },
        }),
      ),
    );
    const accepted = results.filter((r) => r.status === 202);
    const refused = results.filter((r) => r.status !== 202);
    expect(accepted).toHaveLength(3);
    expect(new Set(refused.map((r) => r.status))).toEqual(new Set([409]));
    expect(refused[0]!.body.detail).toContain('limit of 3 running environments');
    const listed = await user.json<{ items: Env[] }>('/api/v1/environments');
    expect(listed.body.items).toHaveLength(3);
    // The counters match reality, and a client can read them before asking.
    const limits = await user.json<{
      tier: string;
      limits: { maxRunning: number };
      usage: { running: number; total: number };
    }>('/api/v1/me/limits');
    expect(limits.body).toMatchObject({
      tier: 'pro',
      limits: { maxRunning: 3 },
      usage: { running: 3, total: 3 },
    });
    // Stopping one frees exactly one slot.
    await user.json(`/api/v1/environments/${accepted[0]!.body.id}/stop`, { method: 'POST' });
    const next = await Promise.all(
      Array.from({ length: 5 }, () =>
        user.json('/api/v1/environments', {
          method: 'POST',
          body: { name: 'After', templateId: 'agent-api' },
        }),
      ),
    );
    expect(next.filter((r) => r.status === 202)).toHaveLength(1);
  }, 60_000);

  it('replays a create with the same Idempotency-Key instead of creating twice', async () => {
    const user = await createUser(ctx.platform, { tier: 'pro' });
    const body = { name: 'Once', templateId: 'agent-api' };
    const headers = { 'idempotency-key': 'create-once-1' };
    const [a, b] = await Promise.all([
      user.json<Env>('/api/v1/environments', { method: 'POST', body, headers }),
      user.json<Env>('/api/v1/environments', { method: 'POST', body, headers }),
    ]);
    const c = await user.json<Env>('/api/v1/environments', { method: 'POST', body, headers });
    expect([a.status, b.status, c.status]).toEqual([202, 202, 202]);
    expect(new Set([a.body.id, b.body.id, c.body.id]).size).toBe(1);
    expect((await user.json<{ items: Env[] }>('/api/v1/environments')).body.items).toHaveLength(1);
    const other = await user.json<{ type: string }>('/api/v1/environments', {
      method: 'POST',
      body: { ...body, name: 'Different' },
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.body.type).toContain('idempotency-key-reused');
  });
});

describe('duplicate and concurrent intents', () => {
  it('create no duplicate object and leave a correct status', async () => {
    const user = await createUser(ctx.platform, { tier: 'free' });
    const { body } = await user.json<Env>('/api/v1/environments', {
      method: 'POST',
      body: { name: 'Dup', templateId: 'agent-api' },
    });
    // The same intent three more times, in one batch, while the first is being processed.
    const sqs = new SQSClient({
      endpoint: ctx.platform.sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const intent = JSON.stringify({
      envId: body.id,
      ownerId: body.ownerId,
      generation: body.generation,
    });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: ctx.platform.queueUrl,
        Entries: [0, 1, 2].map((i) => ({ Id: String(i), MessageBody: intent })),
      }),
    );
    sqs.destroy();
    const env = await eventually(
      'Running',
      async () => (await user.json<Env>(`/api/v1/environments/${body.id}`)).body,
      (e) => e.status.phase === 'Running',
    );
    expect(env.status.observedGeneration).toBe(env.generation);
    const api = ctx.platform.cluster.kubesim!.api;
    const ns = `lab-${body.ownerId}`;
    const count = (resource: string) =>
      api.list(resource, { namespace: ns, labelSelector: `lablease.dev/env=${body.id}` }).items
        .length;
    expect(count('deployments.apps')).toBe(1);
    expect(count('replicasets.apps')).toBe(1);
    expect(count('persistentvolumeclaims')).toBe(1);
    expect(count('services')).toBe(1);
    expect(count('pods')).toBe(1);
  }, 60_000);
});
