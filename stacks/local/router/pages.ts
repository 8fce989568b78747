// The router's own answers to the browser: "not yours" (403), "stopped"
// (503, with the way to start it) and "no such environment" (404). Both
// routers serve the same pages; nginx carries them inline in its
// configuration, so a page may hold no `"`, `\` or `$` (checked), and what it
// interpolates is a validated environment id or origin.
import { ENV_ID } from './routes.js';

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/;

/** A base URL with no path (an origin) or a plain path: safe inside a page and nginx configuration. */
export function assertSafeOrigin(name: string, value: string): string {
  if (!ORIGIN.test(value))
    throw new Error(`${name} is not a plain origin: ${JSON.stringify(value)}`);
  return value;
}

function page(title: string, body: string): string {
  const html = `<!doctype html><html lang='en'><head><meta charset='utf-8'><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .25rem}</style>
</head><body>${body}</body></html>
`;
  if (/["\\$]/.test(html.replaceAll(NGINX_ENV_VARIABLE, '')))
    throw new Error('a router page may not hold ", \\ or $');
  return html;
}

/**
 * `env` is a validated environment id, or (nginx's catch-all server only)
 * the literal `$lablease_env`, filled in by nginx from a host that matched
 * the environment id pattern.
 */
function checkedEnv(env: string): string {
  if (!ENV_ID.test(env) && env !== NGINX_ENV_VARIABLE)
    throw new Error(`not an environment id: ${JSON.stringify(env)}`);
  return env;
}

export const NGINX_ENV_VARIABLE = '$lablease_env';

export function stoppedPage(env: string, webOrigin: string): string {
  const id = checkedEnv(env);
  const dashboard = `${assertSafeOrigin('WEB_ORIGIN', webOrigin)}/environments/${id}`;
  return page(
    'Environment not running',
    `<h1>This environment is not running</h1>
<p>Environment <code>${id}</code> is stopped, still starting, or gone.</p>
<p><a href='${dashboard}'>Start it from the dashboard</a>, then open it again.</p>`,
  );
}

export function forbiddenPage(env: string, webOrigin: string): string {
  const id = checkedEnv(env);
  return page(
    'Not your environment',
    `<h1>Not yours</h1>
<p>You are signed in, but environment <code>${id}</code> belongs to someone else.</p>
<p><a href='${assertSafeOrigin('WEB_ORIGIN', webOrigin)}/'>Back to the dashboard</a></p>`,
  );
}

export function notFoundPage(webOrigin: string): string {
  return page(
    'No such environment',
    `<h1>No such environment</h1>
<p>This address names no Lablease environment.</p>
<p><a href='${assertSafeOrigin('WEB_ORIGIN', webOrigin)}/'>Go to the dashboard</a></p>`,
  );
}
