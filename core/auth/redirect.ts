// Where to send the browser after sign-in. Only paths on the dashboard's own
// origin are allowed; anything a browser could read as another host
// (`//evil`, `/\evil`, `https:evil`, control characters, encoded slashes) is
// refused and replaced by the dashboard's home.
export function safeRedirect(target: string | undefined | null, webOrigin: string): string {
  const home = `${webOrigin}/`;
  if (!target) return home;
  // Browsers strip tabs/newlines and treat backslashes as slashes: refuse them outright.
  if ([...target].some((ch) => ch <= ' ' || ch === '\u007f' || ch === '\\')) return home;
  if (!target.startsWith('/') || target.startsWith('//')) {
    // An absolute URL is fine only when it is exactly on the web origin.
    try {
      const url = new URL(target);
      return url.origin === webOrigin && /^https?:$/.test(url.protocol) ? url.href : home;
    } catch {
      return home;
    }
  }
  if (/%2f|%5c/i.test(target)) return home;
  const url = new URL(target, webOrigin);
  return url.origin === webOrigin ? url.href : home;
}
