// Open with in-memory ports: who may open what, the code stored as a hash
// only, an admin's open always in the trail (no trail, no entry).
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CODE_TTL_MS,
  EnvironmentDeleted,
  type OpenDeps,
  openEnvironment,
} from '../../../core/access/open.js';
import type { Principal } from '../../../core/auth/principal.js';
import { hashSecret } from '../../../core/auth/secrets.js';
import type { Environment } from '../../../core/environment/model.js';
import { NotFound } from '../../../core/errors.js';
import type { AccessCode } from '../../../core/store/access-codes.js';
import type { AuditEvent } from '../../../core/store/audit.js';
import { anEnvironment, ENV_ID, USER } from '../environment/fixtures.js';

const ADMIN = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const now = new Date('2026-11-22T10:00:00Z');
const as = (userId: string, role: 'admin' | 'user' = 'user'): Principal => ({
  userId,
  role,
  via: 'session',
  scopes:
    role === 'admin'
      ? ['environments:read', 'environments:write', 'admin']
      : ['environments:read', 'environments:write'],
});

let env: Environment;
let codes: AccessCode[];
let audit: AuditEvent[];
let auditFails: boolean;
let deps: OpenDeps;

beforeEach(() => {
  env = anEnvironment();
  codes = [];
  audit = [];
  auditFails = false;
  deps = {
    environments: {
      get: async (owner, id) => (owner === env.ownerId && id === env.id ? env : undefined),
      findById: async (id) => (id === env.id ? env : undefined),
    },
    codes: { put: async (c) => void codes.push(c) },
    audit: {
      record: async (e) => {
        if (auditFails) throw new Error('DynamoDB is down');
        audit.push(e);
      },
    },
    url: (id) => `http://${id}.env.localhost:8780/`,
    now: () => now,
    log: () => {},
  };
});

describe('openEnvironment', () => {
  it('gives the owner a redirect with a code stored only as its hash', async () => {
    const location = new URL(await openEnvironment(deps, as(USER), ENV_ID, { next: '/lab' }));
    expect(`${location.origin}${location.pathname}`).toBe(
      `http://${ENV_ID}.env.localhost:8780/.lablease/open`,
    );
    expect(location.searchParams.get('next')).toBe('/lab');
    const code = location.searchParams.get('code')!;
    expect(codes).toEqual([
      {
        codeHash: hashSecret(code),
        envId: ENV_ID,
        userId: USER,
        ownerId: USER,
        expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      },
    ]);
    expect(JSON.stringify(codes)).not.toContain(code);
    expect(audit).toEqual([]);
  });

  it('hides the environment from another user', async () => {
    await expect(openEnvironment(deps, as(OTHER), ENV_ID)).rejects.toBeInstanceOf(NotFound);
    expect(codes).toEqual([]);
  });

  it("records an admin's open, and refuses it when the record cannot be written", async () => {
    await openEnvironment(deps, as(ADMIN, 'admin'), ENV_ID);
    expect(audit).toMatchObject([
      { actorId: ADMIN, action: 'environment.open', target: `environment:${ENV_ID}` },
    ]);
    expect(codes[0]).toMatchObject({ userId: ADMIN, ownerId: USER });
    auditFails = true;
    await expect(openEnvironment(deps, as(ADMIN, 'admin'), ENV_ID)).rejects.toThrow(/down/);
    expect(codes).toHaveLength(1);
  });

  it('refuses a deleted environment with 409', async () => {
    env = { ...env, desiredState: 'deleted' };
    const err = await openEnvironment(deps, as(USER), ENV_ID).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentDeleted);
    expect(err.status).toBe(409);
  });

  it('opens a stopped environment all the same (its host shows how to start it)', async () => {
    env = { ...env, desiredState: 'stopped' };
    expect(await openEnvironment(deps, as(USER), ENV_ID)).toContain('/.lablease/open?code=');
  });
});
