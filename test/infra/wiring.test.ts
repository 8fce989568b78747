// biome-ignore-all lint/suspicious/noExplicitAny: recorded SST arguments are untyped JSON-like values
// The deployed wiring, proven offline: sst.config.ts runs under a recorder
// (test/infra/recorder.ts) and every function, queue, schedule, permission
// and alarm it declares is checked against what the code needs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { ARCHITECTURE, NODEJS_BUNDLING, RUNTIME } from '../../stacks/bundling.js';
import { dynamoArgs } from '../../stacks/table-args.js';
import { type Fn, functionsOf, type RunResult, runApp, SETTINGS } from './app.js';
import type { Declared } from './recorder.js';
import { resolve } from './recorder.js';
import { handlerSource, ROOT } from './sst-build.js';

const seconds = (duration: string) => {
  const m = /^(\d+) (second|minute|hour)s?$/.exec(duration);
  if (!m) throw new Error(`not a duration: <duration>`);
  return Number(m[1]) * { second: 1, minute: 60, hour: 3600 }[m[2] as 'second'];
};

/** Plausible deploy-time values for the tokens, so core/config.ts can validate an environment. */
function sample(env: Record<string, string>): Record<string, string> {
  const value = (key: string, v: string) => {
    if (!v.startsWith('<')) return v;
    if (key === 'AUTH_SIGNING_KEYS') return '[{"kty":"OKP","crv":"Ed25519","kid":"k1"}]';
    if (key === 'ACTIVITY_SIGNING_KEYS') return '[{"kty":"OKP","crv":"Ed25519","kid":"a1"}]';
    if (/\.url>$/.test(v)) return 'https://x.execute-api.us-east-1.amazonaws.com';
    return 'sample-value';
  };
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, value(k, v)]));
}

const byType = (r: RunResult, type: string) => r.recording.resources.filter((x) => x.type === type);
const named = (r: RunResult, name: string) =>
  r.recording.resources.find((x) => x.name === name) as Declared;

describe('sst.config.ts wiring (dev stage, EKS)', () => {
  let run: RunResult;
  let fns: Record<string, Fn>;
  beforeAll(async () => {
    run = await runApp('dev');
    fns = functionsOf(run);
  });

  it('declares the four functions, each with a handler file that exists', () => {
    // test/infra/bundles.test.ts builds each of these and loads it.
    expect(Object.keys(fns)).toEqual(['api', 'provisioner', 'reaper', 'reconciler']);
    for (const [name, fn] of Object.entries(fns)) {
      expect(fn, name).toBeDefined();
      const { source } = handlerSource(fn.handler);
      expect(existsSync(join(ROOT, source)), `<name>: <source>`).toBe(true);
    }
    expect(fns.api!.handler).toBe('functions/api.handler');
    expect(fns.provisioner!.handler).toBe('functions/provisioner.handler');
    expect(fns.reaper!.handler).toBe('functions/reaper.handler');
    expect(fns.reconciler!.handler).toBe('functions/reconciler.handler');
  });

  it('runs every function on nodejs24.x, arm64, bundled as the bundle test proves', () => {
    expect(RUNTIME).toBe('nodejs24.x');
    expect(ARCHITECTURE).toBe('arm64');
    for (const [name, fn] of Object.entries(fns)) {
      expect(fn.runtime, name).toBe('nodejs24.x');
      expect(fn.architecture, name).toBe('arm64');
      expect(fn.nodejs, name).toEqual(NODEJS_BUNDLING);
      expect(fn.link, `<name>: no link (it grants dynamodb:* / sqs:*)`).toBeUndefined();
    }
  });

  it('gives each function an environment core/config.ts accepts, with the deployed names', () => {
    for (const [name, fn] of Object.entries(fns)) {
      const env = fn.environment as Record<string, string>;
      expect(env.TABLE_NAME, name).toBe('<Table.name>');
      expect(env.INTENT_QUEUE_URL, name).toBe('<Intents.url>');
      expect(env.ENVIRONMENTS_DOMAIN, name).toBe(SETTINGS.ENVIRONMENTS_DOMAIN);
      expect(env.LABLEASE_STAGE, name).toBe('dev');
      expect(env.API_URL, name).toBe('<Api.url>'); // tokens' issuer; the gateway's auth URL
      const config = loadConfig(sample(env));
      expect(config.tableName, name).toBe('sample-value');
    }
    expect(fns.api!.environment.API_URL).toBe('<Api.url>');
    expect(fns.api!.environment.WEB_ORIGIN).toBe('<Web.url>');
    const config = loadConfig(sample(fns.api!.environment));
    expect(config.auth.signingKeys).toHaveLength(1);
    expect(config.auth.activitySigningKeys).toHaveLength(1);
    for (const name of ['provisioner', 'reconciler']) {
      const config = loadConfig(sample(fns[name]!.environment));
      expect(config.cluster.kind, name).toBe('eks');
      expect(config.cluster.eksClusterName, name).toBe('research');
      expect(fns[name]!.environment.EKS_CLUSTER_NAME, name).toBe('research');
    }
  });

  it('gives the platform keys to the API alone, the activity key to the API and the provisioner', () => {
    const holders = (variable: string) =>
      Object.entries(fns)
        .filter(([, fn]) => variable in fn.environment)
        .map(([name]) => name);
    // Sessions, environment cookies and API tokens are signed with these: a
    // worker that held them could sign in as anyone.
    expect(holders('AUTH_SIGNING_KEYS')).toEqual(['api']);
    expect(fns.api!.environment.AUTH_SIGNING_KEYS).toBe('<AuthSigningKeys.value>');
    // Activity tokens: minted by the provisioner, checked by the API.
    expect(holders('ACTIVITY_SIGNING_KEYS')).toEqual(['api', 'provisioner']);
    for (const name of ['api', 'provisioner'])
      expect(fns[name]!.environment.ACTIVITY_SIGNING_KEYS, name).toBe(
        '<ActivitySigningKeys.value>',
      );
  });

  it('declares the secrets DEPLOY.md tells the operator to set, and no other', () => {
    const declared = byType(run, 'sst.Secret').map((x) => x.name);
    const documented = [
      ...readFileSync(join(ROOT, 'DEPLOY.md'), 'utf8').matchAll(/npx sst secret set (\w+)/g),
    ].map((m) => m[1]);
    expect(declared.sort()).toEqual(
      ['ActivitySigningKeys', 'AuthSigningKeys', 'Kubeconfig', 'OidcClientSecret'].sort(),
    );
    expect([...new Set(documented)].sort()).toEqual(declared.sort());
  });

  it('gives the OIDC client and its secret to the API alone', async () => {
    const oidc = functionsOf(await runApp('dev', { ...SETTINGS, OIDC_CLIENT_ID: 'lablease' }));
    for (const [name, fn] of Object.entries(oidc)) {
      const expected = name === 'api' ? '<OidcClientSecret.value>' : undefined;
      expect(fn.environment.OIDC_CLIENT_SECRET, name).toBe(expected);
    }
  });
  it('subscribes the provisioner with batches, partial batch responses and bounded concurrency', () => {
    const sub = run.recording.calls.find((c) => c.target === 'Intents' && c.method === 'subscribe');
    const options = resolve(sub!.args[1]);
    expect(options.batch.partialResponses).toBe(true);
    expect(options.batch.size).toBeGreaterThanOrEqual(1);
    expect(options.batch.size).toBeLessThanOrEqual(10);
    const max = options.transform.eventSourceMapping.scalingConfig.maximumConcurrency;
    expect(max).toBeGreaterThanOrEqual(2); // Lambda's floor
    expect(max).toBeLessThanOrEqual(10);
  });

  it('dead-letters after ≥ 5 receives, with a visibility timeout ≥ 6× the provisioner timeout', () => {
    const intents = resolve(named(run, 'Intents').args);
    expect(named(run, 'IntentsDeadLetters').type).toBe('sst.aws.Queue');
    expect(intents.dlq.queue).toBe('<IntentsDeadLetters.arn>');
    expect(intents.dlq.retry).toBeGreaterThanOrEqual(5);
    expect(seconds(intents.visibilityTimeout)).toBeGreaterThanOrEqual(
      6 * seconds(fns.provisioner!.timeout),
    );
  });

  it('runs the reaper and the reconciler every minute, one at a time, within the minute', () => {
    for (const name of ['Reaper', 'Reconciler']) {
      const cron = named(run, name);
      expect(cron.type).toBe('sst.aws.Cron');
      expect(cron.args.schedule).toBe('rate(1 minute)');
      expect(cron.args.function.concurrency).toEqual({ reserved: 1 });
      expect(seconds(cron.args.function.timeout)).toBeLessThan(60);
    }
  });

  it('grants minimal IAM statements naming the table, its indexes and the intent queue', () => {
    const indexes = Object.keys(dynamoArgs().globalIndexes);
    expect(indexes.length).toBeGreaterThan(0);
    const tableResources = ['<Table.arn>', ...indexes.map((i) => `<Table.arn>/index/${i}`)];
    for (const [name, fn] of Object.entries(fns)) {
      const statements = fn.permissions as { actions: string[]; resources: string[] }[];
      for (const s of statements) {
        for (const a of s.actions) expect(a, name).not.toMatch(/\*/);
        for (const r of s.resources) expect(r, name).not.toMatch(/^\*$|:\*$|\/\*$/);
      }
      const table = statements.find((s) => s.actions.some((a) => a.startsWith('dynamodb:')));
      expect(table?.resources, name).toEqual(tableResources);
      expect([...table!.actions].sort(), name).toEqual(
        [
          'dynamodb:BatchGetItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ].sort(),
      );
      const sqs = statements.filter((s) => s.actions.some((a) => a.startsWith('sqs:')));
      expect(sqs, name).toEqual([{ actions: ['sqs:SendMessage'], resources: ['<Intents.arn>'] }]);
    }
  });

  it('keeps the API away from the cluster and the dead-letter queue', () => {
    const api = fns.api!;
    const text = JSON.stringify(api);
    expect(text).not.toContain('IntentsDeadLetters');
    expect(text).not.toMatch(/eks:|Kubeconfig|EKS_CLUSTER_NAME|KUBECONFIG/);
    expect(api.environment.LABLEASE_CLUSTER).toBeUndefined();
    expect(JSON.stringify(fns.reaper)).not.toMatch(/eks:|Kubeconfig|IntentsDeadLetters/);
    for (const fn of Object.values(fns)) expect(JSON.stringify(fn)).not.toContain('DeadLetters');
    // Cluster credentials: an access entry for the provisioner's and the reconciler's roles only.
    const entries = resolve(byType(run, 'aws.eks.AccessEntry').map((e) => e.args));
    expect(entries.map((e: any) => e.principalArn).sort()).toEqual([
      '<Intents.subscribe().nodes.function.nodes.role.arn>',
      '<Reconciler.nodes.function.nodes.role.arn>',
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ clusterName: 'research', type: 'STANDARD' });
      expect(e.kubernetesGroups).toEqual(['lablease-workers']);
    }
    for (const name of ['provisioner', 'reconciler']) {
      const eks = fns[name]!.permissions.filter((s: any) =>
        s.actions.includes('eks:DescribeCluster'),
      );
      expect(eks, name).toHaveLength(1);
      expect(eks[0].actions).toEqual(['eks:DescribeCluster']);
      expect(eks[0].resources[0]).toMatch(/:eks:.*:cluster\/research$/);
    }
  });

  it('alarms on a non-empty DLQ, provisioner errors and reconciler failures, to the alarm topic', () => {
    const alarms = Object.fromEntries(
      byType(run, 'aws.cloudwatch.MetricAlarm').map((a) => [a.name, resolve(a.args)]),
    );
    expect(Object.keys(alarms).sort()).toEqual(
      ['DeadLettersNotEmpty', 'ProvisionerErrors', 'ReconcilerFailures'].sort(),
    );
    expect(alarms.DeadLettersNotEmpty).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: '<IntentsDeadLetters.nodes.queue.name>' },
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
    });
    expect(alarms.ProvisionerErrors).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: '<Intents.subscribe().nodes.function.name>' },
    });
    expect(alarms.ReconcilerFailures).toMatchObject({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: '<Reconciler.nodes.function.name>' },
    });
    for (const alarm of Object.values(alarms)) expect(alarm.alarmActions).toEqual(['<Alarms.arn>']);
    expect(resolve(byType(run, 'aws.sns.TopicSubscription').map((s) => s.args))).toEqual([
      { topic: '<Alarms.arn>', protocol: 'email', endpoint: SETTINGS.ALARM_EMAIL },
    ]);
  });

  it('keeps development stages removable: no PITR, no deletion protection, no retain', () => {
    const table: Record<string, unknown> = {};
    named(run, 'Table').args.transform.table(table);
    expect(table).toEqual({
      pointInTimeRecovery: { enabled: false },
      deletionProtectionEnabled: false,
    });
    expect(run.app).toMatchObject({ removal: 'remove', protect: false, home: 'aws' });
  });
});

describe('sst.config.ts on other stages and settings', () => {
  it('protects production: point-in-time recovery, deletion protection, retain on remove', async () => {
    for (const stage of ['prod', 'production']) {
      const run = await runApp(stage);
      const table: Record<string, unknown> = {};
      named(run, 'Table').args.transform.table(table);
      expect(table).toEqual({
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
      });
      expect(run.app).toMatchObject({ removal: 'retain', protect: true });
    }
  });

  it('uses the Kubeconfig secret, and no EKS access, for a cluster that is not EKS', async () => {
    const run = await runApp('dev', {
      ...SETTINGS,
      LABLEASE_CLUSTER: 'kubeconfig',
      EKS_CLUSTER_NAME: undefined,
    });
    const fns = functionsOf(run);
    for (const name of ['provisioner', 'reconciler']) {
      expect(fns[name]!.environment).toMatchObject({
        LABLEASE_CLUSTER: 'kubeconfig',
        KUBECONFIG_DATA: '<Kubeconfig.value>',
      });
      expect(JSON.stringify(fns[name]!.permissions)).not.toContain('eks:');
    }
    expect(JSON.stringify(fns.api)).not.toContain('Kubeconfig');
    expect(byType(run, 'aws.eks.AccessEntry')).toEqual([]);
  });

  it('passes the router settings through to every function', async () => {
    const run = await runApp('dev', {
      ...SETTINGS,
      LABLEASE_ROUTER: 'ingress-nginx',
      LABLEASE_INGRESS_CLASS: 'public',
    });
    for (const [name, fn] of Object.entries(functionsOf(run))) {
      const config = loadConfig(sample(fn.environment));
      expect(config.router, name).toMatchObject({ kind: 'ingress-nginx', ingressClass: 'public' });
    }
  });

  it('passes the audit log retention through to every function', async () => {
    const run = await runApp('dev', { ...SETTINGS, AUDIT_RETENTION_DAYS: '365' });
    for (const [name, fn] of Object.entries(functionsOf(run)))
      expect(loadConfig(sample(fn.environment)).auditRetentionDays, name).toBe(365);
    const defaults = functionsOf(await runApp('dev'));
    for (const [name, fn] of Object.entries(defaults))
      expect(loadConfig(sample(fn.environment)).auditRetentionDays, name).toBe(90);
    await expect(runApp('dev', { ...SETTINGS, AUDIT_RETENTION_DAYS: 'forever' })).rejects.toThrow(
      /AUDIT_RETENTION_DAYS must be a number of days/,
    );
  });

  it('refuses to deploy without the settings it cannot guess, naming them', async () => {
    await expect(runApp('dev', { ...SETTINGS, ENVIRONMENTS_DOMAIN: undefined })).rejects.toThrow(
      /ENVIRONMENTS_DOMAIN is required/,
    );
    await expect(runApp('dev', { ...SETTINGS, EKS_CLUSTER_NAME: undefined })).rejects.toThrow(
      /EKS_CLUSTER_NAME is required/,
    );
  });
});
