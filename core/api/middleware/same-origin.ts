// CSRF protection for cookie-authenticated requests: an unsafe method must
// carry the dashboard's origin in `Origin`. SameSite=Lax already keeps the
// cookies off cross-site POSTs; this also refuses same-site siblings (other
// subdomains, e.g. an environment host) and old browsers. Bearer requests
// carry no ambient credential, so they need no check.
import { createMiddleware } from 'hono/factory';
import { Forbidden } from '../../auth/errors.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export const requireSameOrigin = (webOrigin: string) =>
  createMiddleware(async (c, next) => {
    if (!SAFE.has(c.req.method) && c.req.header('authorization') === undefined) {
      const origin = c.req.header('origin');
      if (origin !== webOrigin) {
        throw new Forbidden(
          origin
            ? `Requests from ${origin} are not accepted.`
            : 'The request must carry an Origin header.',
        );
      }
    }
    await next();
  });
