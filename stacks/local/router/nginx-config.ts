// nginx.conf for the local router, rendered from the validated route table:
// one server per environment host, each request checked by an auth_request
// to the API's /auth/verify (HTTP and websocket alike) before it reaches the
// simulated pod. Pure: the same table always renders the same text.
//
// Nothing reaches this text unvalidated: host names come from environment ids
// (routes.ts), upstreams are 127.0.0.1 ports, origins and paths are matched
// against allow-lists below — and the render checks them again, so a caller
// cannot hand it a string that would break out of a directive.
//
// Phase order matters in nginx: `return` runs in the rewrite phase, before
// auth_request (access phase). Answers that must come only after verify
// allowed the request (the Open redirect, the stopped page of a routed
// environment) are reached through `try_files` (precontent phase, after
// access) to a named location.
import { forbiddenPage, NGINX_ENV_VARIABLE, notFoundPage, stoppedPage } from './pages.js';
import { ENV_ID, type EnvironmentRoute, isDnsName, type Upstream } from './routes.js';

export interface NginxConfigOptions {
  /** The router's port on 127.0.0.1. */
  port: number;
  /** The environments domain without a port. */
  domain: string;
  /** The API on loopback, where /auth/verify is asked. */
  api: Upstream;
  /** The API's public base URL (an origin): Open lives under it. */
  apiUrl: string;
  /** The dashboard's origin, for the links of the router's pages. */
  webOrigin: string;
  /** nginx's own folder: pid, logs, temp files, an empty root. */
  dir: string;
  /** Which rendering this is: served at /.lablease/generation, so a reload can be awaited. */
  generation: number;
  routes: EnvironmentRoute[];
}

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/;
const PATH = /^\/[A-Za-z0-9._/-]+$/;

function port(name: string, p: number): number {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`${name}: not a port: ${p}`);
  return p;
}

function check(name: string, value: string, rule: RegExp | ((s: string) => boolean)): string {
  const ok = typeof rule === 'function' ? rule(value) : rule.test(value);
  if (!ok) throw new Error(`${name}: refused in nginx configuration: ${JSON.stringify(value)}`);
  return value;
}

/** A double-quoted nginx string of a page already free of `"`, `\` and `$` (pages.ts checks). */
const quoted = (text: string) => `"${text}"`;

const regexEscape = (dnsName: string) => dnsName.replaceAll('.', '\\.');

// Cookies that never reach an environment's pod: its own env cookie and the
// API's session cookies (host-only on the API host, so a browser should not
// send them here; scrubbed anyway). Each map removes one; three passes, then a
// request still carrying one is refused rather than forwarded.
const SCRUB =
  '"~^(?<lablease_pre>.*?)(?:^|;\\s*)(?:lablease_env|__Host-lablease_[A-Za-z0-9_-]*)=[^;]*(?<lablease_post>.*)$"';

function cookieMaps(): string {
  const passes = ['$http_cookie', '$lablease_cookie_1', '$lablease_cookie_2', '$lablease_cookie_3'];
  const maps = passes.slice(1).map(
    (out, i) => `  map ${passes[i]} ${out} {
    default ${passes[i]};
    ${SCRUB} "$lablease_pre$lablease_post";
  }`,
  );
  return `${maps.join('\n')}
  map $lablease_cookie_3 $lablease_cookie {
    default $lablease_cookie_3;
    "~^(?:;\\s*)+(?<lablease_rest>.*)$" $lablease_rest;
  }
  map $lablease_cookie $lablease_cookie_refused {
    default 0;
    "~(?:^|;\\s*)(?:lablease_env|__Host-lablease_)" 1;
  }`;
}

// `next` of /.lablease/open, raw from the query: a path on this host only
// (`/x`, or `%2Fx` as URLSearchParams encodes it — nginx cannot decode a
// variable, so escapes after the first stay as they came); anything else,
// `//evil` and `/\evil` included, goes to `/`.
const NEXT_MAP = `  map $arg_next $lablease_next {
    default /;
    "~^/(?![/\\x5c])[A-Za-z0-9._~!&'()*+,;=:@/%?-]*$" $arg_next;
    "~*^%2F(?!%2F|%5C|/|\\x5c)(?<lablease_next_rest>[A-Za-z0-9._~!&'()*+,;=:@/%?-]*)$" /$lablease_next_rest;
  }`;

function environmentServer(route: EnvironmentRoute, o: NginxConfigOptions, listen: string) {
  const env = check('environment id', route.envId, ENV_ID);
  const host = check('host', route.host, (h) => h === `${env}.${o.domain}`);
  const open = `${o.apiUrl}/api/v1/environments/${env}/open`;
  const upstream = route.upstream
    ? `http://127.0.0.1:${port('upstream port', route.upstream.port)}`
    : undefined;
  const allowed = `auth_request /.lablease/verify;
      auth_request_set $lablease_set_cookie $upstream_http_set_cookie;
      add_header Set-Cookie $lablease_set_cookie always;`;
  return `  server {
    ${listen}
    server_name ${host};
    if ($lablease_cookie_refused) { return 400; }
    # At server level only: a location's own error_page would hide these.
    error_page 401 = @lablease_signin;
    error_page 403 = @lablease_forbidden;
    error_page 502 504 = @lablease_stopped;

    location = /.lablease/verify {
      internal;
      proxy_pass http://lablease_api/auth/verify;
      proxy_pass_request_body off;
      proxy_pass_request_headers off;
      # Kept-alive connections to the API: no TCP handshake per check.
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1:${o.api.port};
      proxy_set_header Content-Length "";
      proxy_set_header Cookie $http_cookie;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Uri $request_uri;
      proxy_set_header X-Forwarded-Method $request_method;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
      proxy_set_header X-Original-Method $request_method;
    }
    location = /.lablease/open {
      ${allowed}
      try_files /.lablease-none @lablease_opened;
    }
    location @lablease_opened {
      add_header Set-Cookie $lablease_set_cookie always;
      return 302 $lablease_next;
    }
    location @lablease_signin {
      return 302 ${open};
    }
    location @lablease_forbidden {
      return 403 ${quoted(forbiddenPage(env, o.webOrigin))};
    }
    location @lablease_stopped {
      return 503 ${quoted(stoppedPage(env, o.webOrigin))};
    }
    location / {
      ${allowed}
${
  upstream
    ? `      proxy_pass ${upstream};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $lablease_connection;
      proxy_set_header Host $http_host;
      proxy_set_header Cookie $lablease_cookie;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $remote_addr;`
    : '      try_files /.lablease-none @lablease_stopped;'
}
    }
  }`;
}

export function renderNginxConfig(o: NginxConfigOptions): string {
  const listenPort = port('router port', o.port);
  check('domain', o.domain, isDnsName);
  check('API URL', o.apiUrl, ORIGIN);
  check('web origin', o.webOrigin, ORIGIN);
  const dir = check('router folder', o.dir, PATH);
  const generation = check('generation', String(o.generation), /^\d+$/);
  const listen = `listen 127.0.0.1:${listenPort};`;
  const hostPattern = `"~^(?<lablease_env>e[a-z2-7]{16})\\.${regexEscape(o.domain)}$"`;
  return `# Lablease local router: rendered from the route objects in kubesim; rewritten on every change.
daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;

events {
  worker_connections 1024;
}

http {
  access_log off;
  server_tokens off;
  # Redirects stay on the host the browser asked for, port included.
  absolute_redirect off;
  default_type text/html;
  charset utf-8;
  root ${dir}/empty;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server_names_hash_bucket_size 128;
  # Uploads and streams (notebooks, terminals) pass through as they come.
  client_max_body_size 0;
  proxy_request_buffering off;
  proxy_buffering off;
  proxy_read_timeout 3600s;
  proxy_send_timeout 3600s;

  upstream lablease_api {
    server 127.0.0.1:${port('API port', o.api.port)};
    keepalive 16;
  }

  map $http_upgrade $lablease_connection {
    default upgrade;
    "" close;
  }
${cookieMaps()}
${NEXT_MAP}

  # A host that names no environment.
  server {
    listen 127.0.0.1:${listenPort} default_server;
    server_name _;
    location = /.lablease/generation {
      default_type text/plain;
      return 200 "${generation}";
    }
    location / {
      return 404 ${quoted(notFoundPage(o.webOrigin))};
    }
  }

  # A well-formed environment host with no route: stopped (or never was) — the same page for any id.
  server {
    ${listen}
    server_name ${hostPattern};
    return 503 ${quoted(stoppedPage(NGINX_ENV_VARIABLE, o.webOrigin))};
  }

${o.routes.map((r) => environmentServer(r, o, listen)).join('\n\n')}
}
`;
}
