import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../core/api/app.js';
import { backendsFromConfig } from '../../core/api/backends.js';
import { loadConfig } from '../../core/config.js';
import { createTestApp, type TestApp } from '../support/app.js';

const localConfig = loadConfig({
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  SQS_ENDPOINT: 'http://127.0.0.1:4566',
  INTENT_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/lablease-intents',
  LABLEASE_CLUSTER_SERVER: 'http://127.0.0.1:6443',
  LABLEASE_COMMIT: 'abc1234',
});

let t: TestApp;
let app: TestApp['app'];
beforeAll(async () => {
  t = await createTestApp();
  app = createApp({
    config: localConfig,
    backends: backendsFromConfig(localConfig),
    auth: t.auth,
    environments: { lifecycle: t.services.lifecycle, environments: t.services.environments },
    log: () => {},
  });
});

describe('the API app', () => {
  it('answers /health', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('names the local backends in /api/v1/info', async () => {
    const res = await app.request('/api/v1/info');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: 'lablease',
      version: '0.1.0',
      commit: 'abc1234',
      stage: 'local',
      backends: {
        dynamodb: {
          engine: 'DynamoDB Local',
          endpoint: 'http://127.0.0.1:8000',
          table: 'lablease',
        },
        queue: {
          engine: 'fauxqs',
          endpoint: 'http://127.0.0.1:4566',
          url: 'http://127.0.0.1:4566/000000000000/lablease-intents',
        },
        cluster: { kind: 'kubesim (Kubernetes API emulator)', server: 'http://127.0.0.1:6443' },
      },
      signIn: { localAccounts: true, oidc: null },
    });
  });

  it('names the local router and where environments live, when the local stack runs one', () => {
    const config = loadConfig({
      LABLEASE_LOCAL_ROUTER: 'nginx/1.22.1',
      ENVIRONMENTS_DOMAIN: 'env.localhost:8780',
    });
    expect(backendsFromConfig(config).router).toEqual({
      engine: 'nginx/1.22.1',
      environments: 'http://<envId>.env.localhost:8780/',
    });
    expect(backendsFromConfig(loadConfig({ LABLEASE_LOCAL_ROUTER: 'node' })).router?.engine).toBe(
      'Node router (no nginx here)',
    );
    expect(() => loadConfig({ LABLEASE_LOCAL_ROUTER: 'nginx; evil' })).toThrow(
      /LABLEASE_LOCAL_ROUTER/,
    );
  });

  it('names the AWS services when no local endpoint is configured', () => {
    const backends = backendsFromConfig(loadConfig({ LABLEASE_CLUSTER: 'eks' }));
    expect(backends.dynamodb.engine).toBe('Amazon DynamoDB');
    expect(backends.queue.engine).toBe('Amazon SQS');
    expect(backends.cluster.kind).toBe('Amazon EKS');
  });

  it('answers an unknown route with problem+json 404', async () => {
    const res = await app.request('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      status: 404,
      title: 'Not Found',
      detail: 'No route for GET /api/v1/nope.',
    });
  });

  it('hides internal errors behind a generic 500 problem', async () => {
    const failing = createApp({
      config: localConfig,
      backends: backendsFromConfig(localConfig),
      auth: t.auth,
      environments: { lifecycle: t.services.lifecycle, environments: t.services.environments },
      log: () => {},
    });
    failing.get('/boom', () => {
      throw new Error('secret table name in message');
    });
    const res = await failing.request('/boom');
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain('secret');
    expect(JSON.parse(body)).toMatchObject({ status: 500, title: 'Internal Server Error' });
  });

  it('serves the OpenAPI document', async () => {
    const res = await app.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/api/v1/info']));
  });

  it('allows the dashboard origin, with credentials, and no other', async () => {
    const ok = await app.request('/api/v1/info', { headers: { Origin: 'http://localhost:5173' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await app.request('/api/v1/info', {
      headers: { Origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
