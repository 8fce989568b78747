// The environment cookie on the wire. Host-only (no Domain): valid for the
// one environment host that set it. Secure unless the environment is served
// over plain http (the local stack). HttpOnly: the environment's own pages
// never read it. Lax: it rides a top-level navigation into the environment.
//
// A sibling environment host can toss its own `lablease_env` with
// Domain=<environments domain>: the browser then sends two cookies of that
// name. Every value is tried, so a tossed cookie never locks the owner out.
export const ENV_COOKIE = 'lablease_env';

/** At most this many values of the cookie are tried (a flood of tossed cookies costs nothing). */
const MAX_VALUES = 4;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Every `lablease_env` value in a Cookie header that looks like a JWT. Other cookies are ignored. */
export function envCookieValues(header: string | undefined): string[] {
  if (!header) return [];
  const values: string[] = [];
  let from = 0;
  while (values.length < MAX_VALUES) {
    const at = header.indexOf(ENV_COOKIE, from);
    if (at === -1) break;
    from = at + ENV_COOKIE.length;
    // A whole name: at the start or after ';' (and spaces), followed by '='.
    const before = header.slice(0, at).trimEnd();
    if (before !== '' && !before.endsWith(';')) continue;
    let i = from;
    while (header[i] === ' ') i++;
    if (header[i] !== '=') continue;
    const end = header.indexOf(';', i);
    const value = header.slice(i + 1, end === -1 ? undefined : end).trim();
    if (value.length <= 4096 && JWT_SHAPE.test(value)) values.push(value);
  }
  return values;
}

export function envCookieHeader(token: string, opts: { secure: boolean; maxAge: number }): string {
  return `${ENV_COOKIE}=${token}; Path=/; Max-Age=${opts.maxAge}; HttpOnly; SameSite=Lax${opts.secure ? '; Secure' : ''}`;
}

export function clearEnvCookieHeader(opts: { secure: boolean }): string {
  return `${ENV_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${opts.secure ? '; Secure' : ''}`;
}
