// The reconciler on the local stack: each repair proved on kubesim through
// the real client. The test calls the reconciler's verb with a `now` it
// chooses (past grace periods and stuck thresholds) instead of waiting.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/cluster/client.js';
import { workspaceDeployment, workspaceVolume } from '../../core/cluster/manifests.js';
import type { Environment } from '../../core/environment/model.js';
import { newEnvironmentId, volumeNameFor } from '../../core/environment/naming.js';
import { type Jobs, jobsFor, runningEnvironment } from '../support/jobs.js';
import { eventually, setupPlatform } from '../support/platform.js';

const ctx = setupPlatform();
let jobs: Jobs;
let envs: Environment[] = [];
const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000);

const deploymentOf = (env: Pick<Environment, 'id' | 'ownerId'>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: env.id, namespace: `lab-${env.ownerId}` },
});
const readDeployment = (env: Pick<Environment, 'id' | 'ownerId'>) =>
  jobs.cluster.read<KubeObject & { spec: { replicas: number } }>(deploymentOf(env));

beforeAll(async () => {
  jobs = await jobsFor(ctx.platform);
  envs = (await Promise.all([0, 1, 2, 3].map(() => runningEnvironment(ctx.platform, jobs)))).map(
    (r) => r.env,
  );
}, 60_000);

describe('the reconciler', () => {
  it('writes nothing and enqueues nothing for a settled fleet', async () => {
    await jobs.reconcile(minutesFromNow(1)); // settles whatever the provisioner left moving
    // Every command the reconciler sends to DynamoDB, counted at the client.
    const commands: string[] = [];
    const counter = 'count-reconciler-commands';
    jobs.services.doc.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: counter },
    );
    try {
      const report = await jobs.reconcile(minutesFromNow(1));
      expect(report.environments).toBeGreaterThanOrEqual(4);
      expect(report).toMatchObject({
        enqueued: [],
        statusWritten: 0,
        orphanComputeDeleted: [],
        countersCorrected: [],
      });
    } finally {
      jobs.services.doc.middlewareStack.remove(counter);
    }
    expect(commands.some((c) => c.startsWith('Query'))).toBe(true);
    expect(commands.filter((c) => !/^(Get|BatchGet|Query)/.test(c))).toEqual([]);
  });

  it('restores a deployment deleted by hand', async () => {
    const env = envs[0]!;
    await jobs.cluster.delete(deploymentOf(env));
    await eventually(
      'the deployment to go',
      () => readDeployment(env),
      (d) => d === undefined,
    );
    const report = await jobs.reconcile(minutesFromNow(1));
    expect(report.enqueued).toContainEqual({
      envId: env.id,
      why: 'drift',
      actions: ['applyDeployment'],
    });
    await eventually(
      'the deployment to be back',
      () => readDeployment(env),
      (d) => d !== undefined,
    );
    await eventually(
      'it to run again',
      () => jobs.get(env),
      (e) => e.status.phase === 'Running',
    );
  });

  it('restores replicas edited by hand', async () => {
    const env = envs[1]!;
    await jobs.cluster.merge(deploymentOf(env), { spec: { replicas: 3 } });
    const report = await jobs.reconcile(minutesFromNow(1));
    expect(report.enqueued.map((e) => e.envId)).toContain(env.id);
    await eventually(
      'replicas back to 1',
      () => readDeployment(env),
      (d) => d?.spec.replicas === 1,
    );
  });

  it('finishes the work of a worker that crashed between objects', async () => {
    // As if the provisioner died after the Deployment and before the Service and the policy.
    const env = envs[1]!;
    const ref = (apiVersion: string, kind: string) => ({
      apiVersion,
      kind,
      metadata: { name: env.id, namespace: `lab-${env.ownerId}` },
    });
    await jobs.cluster.delete(ref('v1', 'Service'));
    await jobs.cluster.delete(ref('networking.k8s.io/v1', 'NetworkPolicy'));
    const report = await jobs.reconcile(minutesFromNow(1));
    expect(report.enqueued).toContainEqual({
      envId: env.id,
      why: 'drift',
      actions: ['applyNetworkPolicy', 'applyService'],
    });
    await eventually(
      'the service and the policy to be back',
      async () =>
        Promise.all([
          jobs.cluster.read(ref('v1', 'Service')),
          jobs.cluster.read(ref('networking.k8s.io/v1', 'NetworkPolicy')),
        ]),
      ([service, policy]) => service !== undefined && policy !== undefined,
    );
  });

  it('repairs a lost SQS message: an intent stored but never sent', async () => {
    const env = await jobs.get(envs[2]!);
    const settings = await jobs.services.catalog.settings();
    // A stop written to the store with no message sent (as if SQS lost it).
    await jobs.services.environments.changeDesired(
      env,
      { desiredState: 'stopped', dataDeletion: undefined, status: env.status },
      { maxRunning: 1, maxTotal: 3, maxRunningGlobal: settings.maxRunningGlobal },
      new Date(),
    );
    // Fresh: left to its (lost) message for a while.
    expect((await jobs.reconcile(new Date())).enqueued.map((e) => e.envId)).not.toContain(env.id);
    const report = await jobs.reconcile(minutesFromNow(3));
    expect(report.enqueued).toContainEqual({ envId: env.id, why: 'stuck', actions: [] });
    await eventually(
      'it to stop',
      () => jobs.get(env),
      (e) => e.status.phase === 'Stopped',
    );
    expect((await readDeployment(env))?.spec.replicas).toBe(0);
  });

  it('removes an orphan deployment after the grace period, keeps its volume and reports it', async () => {
    const owner = envs[3]!;
    const template = (await jobs.services.catalog.get('jupyterlab'))!;
    const id = newEnvironmentId();
    const ghost = {
      ...owner,
      id,
      generation: 1,
      spec: { ...owner.spec, volume: { ...owner.spec.volume, name: volumeNameFor(id) } },
    };
    await jobs.cluster.apply(workspaceVolume(ghost) as KubeObject);
    await jobs.cluster.apply(workspaceDeployment(ghost, template, 0) as KubeObject);

    const early = await jobs.reconcile(minutesFromNow(1));
    expect(early.orphanComputeDeleted).toEqual([]);

    const report = await jobs.reconcile(minutesFromNow(11));
    expect(report.orphanComputeDeleted.map((o) => `${o.kind}/${o.name}`)).toEqual([
      `Deployment/${id}`,
    ]);
    expect(report.orphanVolumes.map((o) => o.name)).toEqual([volumeNameFor(id)]);
    await eventually(
      'the orphan deployment to go',
      () => readDeployment(ghost),
      (d) => !d,
    );
    const pvc = await jobs.cluster.read({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: volumeNameFor(id), namespace: `lab-${owner.ownerId}` },
    });
    expect(pvc).toBeDefined();
    const listed = await jobs.orphanVolumes.list();
    expect(listed.volumes.map((v) => v.name)).toEqual([volumeNameFor(id)]);
    expect(listed.count).toBe(1);
    // The live environment in the same namespace kept everything.
    expect(await readDeployment(owner)).toBeDefined();
  });

  it('corrects drifted quota counters', async () => {
    const env = envs[3]!;
    const table = jobs.services.config.tableName;
    await jobs.services.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { PK: `USER#${env.ownerId}`, SK: 'COUNTERS' },
        UpdateExpression: 'SET running = :r, #total = :t',
        ExpressionAttributeNames: { '#total': 'total' },
        ExpressionAttributeValues: { ':r': 5, ':t': 7 },
      }),
    );
    const globalBefore = await jobs.services.environments.globalRunning();
    await jobs.services.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { PK: 'COUNTERS', SK: 'GLOBAL' },
        UpdateExpression: 'ADD running :d',
        ExpressionAttributeValues: { ':d': 40 },
      }),
    );
    const report = await jobs.reconcile(minutesFromNow(3));
    expect(report.countersCorrected).toContainEqual({
      ownerId: env.ownerId,
      from: { running: 5, total: 7 },
      to: { running: 1, total: 1 },
    });
    expect(await jobs.services.environments.usage(env.ownerId)).toEqual({
      running: 1,
      total: 1,
      globalRunning: globalBefore,
    });
    // Corrected: the next cycle finds nothing to correct.
    expect((await jobs.reconcile(minutesFromNow(3))).countersCorrected).toEqual([]);
  });
});
