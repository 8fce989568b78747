// Acceptance: kubectl, unchanged, against kubesim through the generated
// kubeconfig — get -A, apply -f, get -w, describe, delete.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestCluster } from './support.js';

const run = promisify(execFile);
const cluster = setupTestCluster();
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubesim-kubectl-'));
  kubeconfig = join(dir, 'kubeconfig');
  await cluster.sim.writeKubeconfig(kubeconfig);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    timeout: 20_000,
  });
  return stdout;
}

const manifest = (replicas: number) => `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
`;

describe('kubectl', () => {
  it('get pods -A prints the table header', async () => {
    const out = await kubectl('get', 'namespaces');
    expect(out).toMatch(/^NAME\s+STATUS\s+AGE\n/);
    expect(out).toMatch(/\ndefault\s+Active\s+\d+s\n/);
    // No pods yet: kubectl says so on stderr, with an empty stdout.
    expect(await kubectl('get', 'pods', '-A')).toBe('');
  });

  it('apply -f creates, then reports unchanged and configured', async () => {
    const file = join(dir, 'app.yaml');
    await writeFile(file, manifest(1));
    expect(await kubectl('apply', '-f', file)).toBe(
      'namespace/shop created\ndeployment.apps/web created\nservice/web created\n',
    );
    expect(await kubectl('apply', '-f', file)).toBe(
      'namespace/shop unchanged\ndeployment.apps/web unchanged\nservice/web unchanged\n',
    );
    await writeFile(file, manifest(2));
    expect(await kubectl('apply', '-f', file)).toBe(
      'namespace/shop unchanged\ndeployment.apps/web configured\nservice/web unchanged\n',
    );
    expect(cluster.sim.api.get('deployments', 'shop', 'web')?.spec.replicas).toBe(2);
    await cluster.sim.simulation.settle();
    const pods = await kubectl('get', 'pods', '-A');
    expect(pods).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    expect(pods).toMatch(/\nshop\s+web-[a-z0-9]+-[a-z0-9]{5}\s+/);
    expect(
      await kubectl('get', 'svc', '-n', 'shop', 'web', '-o', 'jsonpath={.spec.clusterIP}'),
    ).toMatch(/^10\.96\./);
  });

  it('apply -f of every kind Lablease generates passes strict field validation and admission', async () => {
    const file = fileURLToPath(new URL('./fixtures/environment.yaml', import.meta.url));
    const out = await kubectl('apply', '-f', file);
    expect(out.trim().split('\n')).toEqual([
      'namespace/lab-u1 created',
      'resourcequota/quota created',
      'limitrange/limits created',
      'networkpolicy.networking.k8s.io/default-deny created',
      'serviceaccount/env created',
      'secret/env-token created',
      'persistentvolumeclaim/ws-env1 created',
      'deployment.apps/env1 created',
      'service/env1 created',
      'ingress.networking.k8s.io/env1 created',
      'networkpolicy.networking.k8s.io/env1 created',
    ]);
    const ssa = await kubectl('apply', '--server-side', '-f', file);
    expect(ssa).toContain('deployment.apps/env1 serverside-applied');
  });

  it('get -w streams changes', async () => {
    const child = spawn(
      'kubectl',
      [
        '--kubeconfig',
        kubeconfig,
        'get',
        'configmaps',
        '-n',
        'shop',
        '-w',
        '--output-watch-events',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    try {
      const until = async (re: RegExp) => {
        const end = Date.now() + 10_000;
        while (!re.test(out)) {
          if (Date.now() > end) throw new Error(`kubectl get -w printed: ${out}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until(/kube-root-ca\.crt/);
      await cluster.sim.api.create('configmaps', 'shop', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'watched' },
        data: { a: '1' },
      });
      await until(/ADDED\s+watched/);
      await cluster.sim.api.delete('configmaps', 'shop', 'watched');
      await until(/DELETED\s+watched/);
    } finally {
      child.kill();
    }
    expect(out).toMatch(/^EVENT\s+NAME\s+DATA\s+AGE\n/);
  });

  it('describe pod shows the pod and its events', async () => {
    const name = (
      await kubectl('get', 'pods', '-n', 'shop', '-o', 'jsonpath={.items[0].metadata.name}')
    ).trim();
    const out = await kubectl('describe', 'pod', '-n', 'shop', name);
    expect(out).toMatch(new RegExp(`^Name:\\s+${name}\\n`));
    expect(out).toMatch(/\nNamespace:\s+shop\n/);
    expect(out).toMatch(/\nControlled By:\s+ReplicaSet\/web-/);
    expect(out).toMatch(/\nEvents:\n/);
  });

  it('get --sort-by works (Table rows embed whole objects on request)', async () => {
    const out = await kubectl('get', 'events', '-n', 'shop', '--sort-by=.lastTimestamp');
    expect(out).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
    expect(out).toMatch(/Scheduled\s+pod\/web-/);
  });

  it('logs answers for a running pod', async () => {
    const name = (
      await kubectl('get', 'pods', '-n', 'shop', '-o', 'jsonpath={.items[0].metadata.name}')
    ).trim();
    expect(await kubectl('logs', '-n', 'shop', name)).toMatch(
      /kubesim: simulated container app running nginx:1\.27/,
    );
  });

  it('retries 429 after Retry-After, as client-go does', async () => {
    const fault = cluster.sim.faults.add({
      verb: 'list',
      resource: 'namespaces',
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
    });
    const started = Date.now();
    expect(await kubectl('get', 'namespaces', '-o', 'name')).toContain('namespace/default');
    expect(fault.hits).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  it('delete removes objects', async () => {
    expect(await kubectl('delete', 'service', '-n', 'shop', 'web')).toBe('service "web" deleted\n');
    expect(cluster.sim.api.get('services', 'shop', 'web')).toBeUndefined();
    const missing = await kubectl('delete', 'service', '-n', 'shop', 'web').catch(
      (e: { stderr: string }) => e.stderr,
    );
    expect(missing).toBe('Error from server (NotFound): services "web" not found\n');
  });
});
