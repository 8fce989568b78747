// Users' own state-changing requests in the audit trail: creating, starting,
// stopping and deleting environments, deleting and restoring data, API
// tokens. Recorded from outside the routes once they answered, with the
// principal the guard established; refusals (4xx) are recorded as failures.
// Heartbeats are activity, not actions: they stay out (one a minute would
// drown the trail).
import { createMiddleware } from 'hono/factory';
import { newId } from '../../auth/secrets.js';
import type { AuditStore } from '../../store/audit.js';
import type { AppEnv } from '../context.js';

interface Rule {
  method: string;
  pattern: RegExp;
  action: string;
  /** The target from the path's capture, or from the Location header of a create. */
  target: (match: RegExpExecArray, location: string | null) => string;
}

const env = (m: RegExpExecArray) => `environment:${m[1]}`;
const RULES: Rule[] = [
  {
    method: 'POST',
    pattern: /^\/api\/v1\/environments$/,
    action: 'environment.create',
    target: (_m, location) =>
      location ? `environment:${location.split('/').pop()}` : 'environment:new',
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/environments\/([^/]+)\/start$/,
    action: 'environment.start',
    target: env,
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/environments\/([^/]+)\/stop$/,
    action: 'environment.stop',
    target: env,
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/v1\/environments\/([^/]+)$/,
    action: 'environment.delete',
    target: env,
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/environments\/([^/]+)\/data\/(delete|restore|purge)$/,
    action: 'environment.data-',
    target: env,
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/me\/tokens$/,
    action: 'token.create',
    target: () => 'tokens',
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/v1\/me\/tokens\/([^/]+)$/,
    action: 'token.revoke',
    target: (m) => `token:${m[1]}`,
  },
];

export const auditActions = (deps: {
  audit: Pick<AuditStore, 'record'>;
  now: () => Date;
  log: (message: string, fields: Record<string, unknown>) => void;
}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const path = c.req.path.replace(/\/+$/, '');
    for (const rule of RULES) {
      if (rule.method !== c.req.method) continue;
      const match = rule.pattern.exec(path);
      if (!match) continue;
      const principal = c.get('principal');
      if (!principal) return;
      const action = rule.action.endsWith('-') ? `${rule.action}${match[2]}` : rule.action;
      const failed = c.res.status >= 400;
      const detail = failed ? `status ${c.res.status}` : await customImageOf(c.res, action);
      try {
        await deps.audit.record({
          id: newId(),
          at: deps.now().toISOString(),
          actorId: principal.userId,
          action,
          target: rule.target(match, c.res.headers.get('location')).slice(0, 300),
          result: failed ? 'failure' : 'success',
          requestId: c.get('requestId'),
          ...(detail ? { detail } : {}),
        });
      } catch (err) {
        // The action already happened (or was refused); a lost audit line must not change its answer.
        deps.log('audit of an action failed', { action, err: String(err) });
      }
      return;
    }
  });

/** A launch of a custom image says which image: who ran what belongs in the trail. */
async function customImageOf(res: Response, action: string): Promise<string | undefined> {
  if (action !== 'environment.create') return undefined;
  try {
    const image = (await res.clone().json())?.image;
    return typeof image === 'string' ? `image ${image}`.slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}
