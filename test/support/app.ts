// A whole API app on the run's DynamoDB Local, with a table of its own, for
// tests that drive the HTTP surface with app.request() (no server needed).

import type { SQSClient } from '@aws-sdk/client-sqs';
import type { JWK } from 'jose';
import { createApp } from '../../core/api/app.js';
import { backendsFromConfig } from '../../core/api/backends.js';
import { generateSigningKey } from '../../core/auth/access-token.js';
import type { Auth } from '../../core/auth/index.js';
import { type Config, loadConfig } from '../../core/config.js';
import { createServices, type Services } from '../../core/services.js';
import { ensureTable } from '../../stacks/local/table.js';
import { dynamoClients, uniqueName } from './aws.js';

export const WEB_ORIGIN = 'http://localhost:5173';
/** Cheap scrypt for tests: the real cost is a property of production, not of behaviour. */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

export interface TestApp {
  app: ReturnType<typeof createApp>;
  auth: Auth;
  services: Services;
  config: Config;
  tableName: string;
  doc: ReturnType<typeof dynamoClients>['doc'];
  clock: { now: Date; advance(ms: number): void };
  signingKeys: JWK[];
}

export async function createTestApp(
  env: Record<string, string> = {},
  opts: { clientAddress?: string; sqs?: SQSClient } = {},
): Promise<TestApp> {
  const { client, doc } = dynamoClients();
  const tableName = uniqueName('app');
  await ensureTable(client, tableName);
  const signingKeys = [await generateSigningKey('test-1')];
  const config = loadConfig({
    TABLE_NAME: tableName,
    WEB_ORIGIN,
    AUTH_SIGNING_KEYS: JSON.stringify(signingKeys),
    ...env,
  });
  const clock = {
    now: new Date(),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  const now = () => clock.now;
  const services = await createServices(config, {
    doc,
    sqs: opts.sqs,
    now,
    scryptCost: TEST_SCRYPT,
    log: () => {},
  });
  const app = createApp({
    config,
    backends: backendsFromConfig(config),
    auth: services.auth,
    environments: { lifecycle: services.lifecycle, environments: services.environments },
    admin: services.admin,
    access: services.access,
    now,
    log: () => {},
    clientAddress: () => opts.clientAddress ?? '203.0.113.7',
  });
  return { app, auth: services.auth, services, config, tableName, doc, clock, signingKeys };
}

/** A tiny cookie jar for app.request(): keeps what Set-Cookie says, sends it back. */
export class CookieJar {
  private cookies = new Map<string, string>();

  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string) {
    return this.cookies.get(name);
  }

  set(name: string, value: string) {
    this.cookies.set(name, value);
  }

  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}
