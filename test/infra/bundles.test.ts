// Every function, bundled exactly as SST bundles it (stacks/bundling.ts),
// builds, exports its handler and loads in a fresh Node 24 — the ESM bundle
// of @kubernetes/client-node included — the API answers its first request,
// the API bundle carries no Kubernetes client, and a cold start loads none of
// the AWS SDK's credential providers a Lambda does not use. Sizes and cold
// start times are in `npm run bench`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAll,
  coldImport,
  declaredEnv,
  type FunctionBundle,
  lambdaLikeEnv,
} from './bundles.js';

const KUBERNETES_CLIENT = /node_modules\/@kubernetes\/client-node\//;
// Lambda hands a function its credentials in the environment; these others
// (profiles, SSO, web identity, container and instance metadata) the SDK
// imports only when that fails.
const UNUSED_CREDENTIAL_PROVIDERS =
  /node_modules\/@aws-sdk\/(credential-provider-(ini|sso|process|web-identity|http|login)|nested-clients|token-providers)\/|node_modules\/@smithy\/credential-provider-imds\//;

describe('function bundles', () => {
  let bundles: FunctionBundle[];
  const out = mkdtempSync(join(tmpdir(), 'lablease-bundles-'));
  beforeAll(async () => {
    bundles = await buildAll(out);
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const bundle = (name: string) => bundles.find((b) => b.name === name)!;

  it('builds every declared function with its handler exported', () => {
    expect(bundles.map((b) => b.name)).toEqual([
      'api',
      'provisioner',
      'reaper',
      'reconciler',
      'bare-hono',
      'hono-dynamodb',
    ]);
    for (const b of bundles) expect(b.exports, b.name).toContain(b.exportName);
  });

  it('loads every bundle in a fresh Node with only what its stack gives it; the API answers', () => {
    const local = lambdaLikeEnv(out);
    for (const b of bundles) {
      const loaded = coldImport(b, declaredEnv(b, local));
      expect(loaded.exportType, b.name).toBe('function');
      if (b.probe) expect(loaded.status, `${b.name} GET ${b.probe}`).toBe(200);
    }
    expect(bundle('api').probe).toBe('/health');
    // The workers start without the platform's signing keys (stacks/environment.ts).
    for (const name of ['provisioner', 'reaper', 'reconciler'])
      expect(declaredEnv(bundle(name), local).AUTH_SIGNING_KEYS, name).toBeUndefined();
  }, 120_000);

  it('keeps @kubernetes/client-node out of the API, the reaper; in the cluster workers', () => {
    const has = (name: string) => bundle(name).inputs.some((i) => KUBERNETES_CLIENT.test(i));
    expect(has('api')).toBe(false);
    expect(has('reaper')).toBe(false);
    expect(has('provisioner')).toBe(true);
    expect(has('reconciler')).toBe(true);
  });

  it('leaves the credential providers a Lambda does not use out of every cold start', () => {
    for (const b of bundles) {
      expect(
        b.coldInputs.filter((i) => UNUSED_CREDENTIAL_PROVIDERS.test(i)),
        b.name,
      ).toEqual([]);
    }
    // A cold start loads less than the package holds (one file would load it all).
    expect(bundle('api').bytes).toBeLessThan(bundle('api').totalBytes);
    // Still in the package, for the SDK to import when the environment has none.
    expect(bundle('api').inputs.some((i) => UNUSED_CREDENTIAL_PROVIDERS.test(i))).toBe(true);
  });
});
