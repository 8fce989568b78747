// Administration end to end on the local stack (API, provisioner, kubesim):
// an admin curates the catalog, limits a tier, disables a user — and the
// audit log tells the story in order.
import { readFileSync } from 'node:fs';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually, type Session, setupPlatform, signIn } from '../support/platform.js';

const ctx = setupPlatform();
const PASSWORD = 'e2e-member-passphrase-2026';

interface Env {
  id: string;
  ownerId: string;
  volume: { name: string };
  desiredState: string;
  status: { phase: string };
}

/** An account made through the admin API, signed in with its own password. */
async function newMember(email: string, tier: string): Promise<Session & { id: string }> {
  const created = await ctx.admin.json<{ user: { id: string }; temporaryPassword: string }>(
    '/api/v1/admin/users',
    { method: 'POST', body: { email, name: email.split('@')[0], tier } },
  );
  expect(created.status).toBe(201);
  const session = await signIn(ctx.platform.apiUrl, email, created.body.temporaryPassword);
  // The temporary password opens no door but changing it.
  const early = await session.json<{ detail: string }>('/api/v1/environments');
  expect(early.status).toBe(403);
  const changed = await session.json('/auth/password/change', {
    method: 'POST',
    body: { currentPassword: created.body.temporaryPassword, newPassword: PASSWORD },
  });
  expect(changed.status).toBe(200);
  return Object.assign(session, { id: created.body.user.id });
}

const phaseOf = async (id: string) =>
  (await ctx.admin.json<Env>(`/api/v1/environments/${id}`)).body;

describe('an operator runs the lab', () => {
  it('curates the catalog, limits a tier, disables a user, and the audit log shows it', async () => {
    const template = {
      id: 'pro-notebook',
      name: 'Pro notebook',
      description: 'For the pro tier only.',
      image: 'docker.io/library/node:22-bookworm-slim',
      port: 3001,
      command: ['sh', '-c'],
      args: [
        "exec node -e \"require('node:http').createServer((q,s)=>s.end('ok')).listen(3001,'0.0.0.0')\"",
      ],
      workspacePath: '/home/node',
      readinessPath: '/',
      defaultResources: { cpu: '250m', memory: '256Mi' },
      maxResources: { cpu: '1', memory: '1Gi' },
      volumeSizeGi: 1,
      tiers: ['pro'],
    };
    const added = await ctx.admin.json('/api/v1/admin/templates', {
      method: 'POST',
      body: template,
    });
    expect(added.status).toBe(201);

    // A user of another tier neither sees nor launches it.
    const free = await newMember('free-e2e@lablease.test', 'free');
    const freeCatalog = await free.json<{ items: { id: string }[] }>('/api/v1/templates');
    expect(freeCatalog.body.items.map((t) => t.id)).not.toContain('pro-notebook');
    const refused = await free.json('/api/v1/environments', {
      method: 'POST',
      body: { name: 'Nope', templateId: 'pro-notebook' },
    });
    expect(refused.status).toBe(422);

    // A pro user launches it; it runs on the cluster.
    const pro = await newMember('pro-e2e@lablease.test', 'pro');
    const launched = await pro.json<Env>('/api/v1/environments', {
      method: 'POST',
      body: { name: 'Pro work', templateId: 'pro-notebook' },
    });
    expect(launched.status).toBe(202);
    const envId = launched.body.id;
    await eventually(
      'Running',
      () => phaseOf(envId),
      (e) => e.status.phase === 'Running',
      60_000,
    );

    // The admin lowers the pro tier's running limit to 1: a second start is refused, clearly.
    const read = await ctx.admin.json<{ tiers: Record<string, { maxRunning: number }> }>(
      '/api/v1/admin/settings',
    );
    const settings = structuredClone(read.body);
    settings.tiers.pro!.maxRunning = 1;
    const saved = await ctx.admin.json('/api/v1/admin/settings', {
      method: 'PUT',
      headers: { 'if-match': read.res.headers.get('etag')! },
      body: settings,
    });
    expect(saved.status).toBe(200);
    const second = await pro.json<{ detail: string }>('/api/v1/environments', {
      method: 'POST',
      body: { name: 'Second', templateId: 'pro-notebook' },
    });
    expect(second.status).toBe(409);
    expect(second.body.detail).toContain('limit of 1 running environment reached');

    // Disabling the pro user stops the environment (its volume kept) and ends their access,
    // API tokens included.
    const minted = await pro.json<{ token: string }>('/api/v1/me/tokens', {
      method: 'POST',
      body: { name: 'script', scopes: ['environments:read'] },
    });
    expect(minted.status).toBe(201);
    const byToken = () =>
      fetch(`${ctx.platform.apiUrl}/api/v1/environments`, {
        headers: { authorization: `Bearer ${minted.body.token}` },
      });
    expect((await byToken()).status).toBe(200);
    const disabled = await ctx.admin.json(`/api/v1/admin/users/${pro.id}/disable`, {
      method: 'POST',
    });
    expect(disabled.status).toBe(200);
    const stopped = await eventually(
      'Stopped',
      () => phaseOf(envId),
      (e) => e.status.phase === 'Stopped',
      60_000,
    );
    expect(stopped.desiredState).toBe('stopped');
    const kc = new KubeConfig();
    kc.loadFromString(readFileSync(ctx.platform.cluster.kubeconfigPath!, 'utf8'));
    const pvc = await kc.makeApiClient(CoreV1Api).readNamespacedPersistentVolumeClaim({
      namespace: `lab-${pro.id}`,
      name: stopped.volume.name,
    });
    expect(pvc.status?.phase).toBe('Bound');
    // Every API request reads the user: all refuse at once, and refreshing is refused.
    expect((await pro.request('/api/v1/environments')).status).toBe(401);
    expect((await pro.request('/api/v1/templates')).status).toBe(401);
    expect(
      (await pro.request(`/api/v1/environments/${envId}/start`, { method: 'POST' })).status,
    ).toBe(401);
    expect((await pro.request('/auth/refresh', { method: 'POST' })).status).toBe(401);
    expect((await byToken()).status).toBe(401);

    // The audit log, oldest to newest, tells exactly that story.
    const log = await ctx.admin.json<{
      items: { action: string; target: string; result: string }[];
    }>('/api/v1/admin/activity?limit=100');
    const story = log.body.items
      .filter((e) => !e.action.startsWith('auth.'))
      .reverse()
      .map((e) => `${e.action} ${e.result}`);
    expect(story).toEqual([
      'template.create success',
      'user.create success',
      'environment.create failure', // the free user's try at the pro template
      'user.create success',
      'environment.create success',
      'settings.update success',
      'environment.create failure', // beyond the lowered limit
      'token.create success',
      'user.disable success',
      // The disabled user's next request is refused at authentication, before any action.
    ]);
    expect(log.body.items.some((e) => e.action === 'auth.sign-in' && e.result === 'success')).toBe(
      true,
    );
  });

  it('lets a chosen tier run an image of its own, only from an allowed registry, in the same locked-down pod', async () => {
    const read = await ctx.admin.json<Record<string, unknown>>('/api/v1/admin/settings');
    const saved = await ctx.admin.json('/api/v1/admin/settings', {
      method: 'PUT',
      headers: { 'if-match': read.res.headers.get('etag')! },
      body: {
        ...read.body,
        customImages: { tiers: ['pro'], allowedRegistries: ['docker.io/library'] },
      },
    });
    expect(saved.status).toBe(200);

    const member = await newMember('custom-e2e@lablease.test', 'pro');
    const lookAlike = await member.json<{ errors: { field: string }[] }>('/api/v1/environments', {
      method: 'POST',
      body: { name: 'Nope', templateId: 'pro-notebook', image: 'docker.io/library-evil/node:22' },
    });
    expect(lookAlike.status).toBe(422);
    expect(lookAlike.body.errors.map((e) => e.field)).toContain('image');

    const image = 'docker.io/library/node:22-slim';
    const launched = await member.json<Env & { image: string }>('/api/v1/environments', {
      method: 'POST',
      body: { name: 'My node', templateId: 'pro-notebook', image },
    });
    expect(launched.status).toBe(202);
    expect(launched.body.image).toBe(image);
    await eventually(
      'Running',
      () => phaseOf(launched.body.id),
      (e) => e.status.phase === 'Running',
      60_000,
    );
    const kc = new KubeConfig();
    kc.loadFromString(readFileSync(ctx.platform.cluster.kubeconfigPath!, 'utf8'));
    const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({
      namespace: `lab-${member.id}`,
      name: launched.body.id,
    });
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0]!;
    expect(container.image).toBe(image);
    // The template's port and command, and the catalog's security context.
    expect(container.ports?.[0]?.containerPort).toBe(3001);
    expect(container.command).toEqual(['sh', '-c']);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      privileged: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
  });
});
