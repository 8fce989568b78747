// Why a single sign-on came back without a session, as the API's callback
// reports it in ?signin_error=<code>, said for people.
const messages: Record<string, { title: string; detail: string }> = {
  unauthenticated: {
    title: 'The sign-in did not complete',
    detail:
      'It may have expired or been started in another browser. Please sign in again from this page.',
  },
  forbidden: {
    title: 'This account may not sign in here',
    detail:
      'The account is disabled or its email domain is not allowed on this installation. Ask your administrator for access.',
  },
  'oidc-not-configured': {
    title: 'Single sign-on is not set up',
    detail: 'This installation has no identity provider. Use your email and password instead.',
  },
  'too-many-attempts': {
    title: 'Too many attempts',
    detail: 'Wait a minute, then try signing in again.',
  },
};

export function signInErrorMessage(code: string): { title: string; detail: string } {
  return (
    messages[code] ?? {
      title: 'The sign-in did not complete',
      detail: 'Something went wrong with the identity provider. Please try again.',
    }
  );
}

/** Reads ?signin_error once and removes it from the address bar, so a reload does not show it again. */
export function takeSignInError(): string | undefined {
  const url = new URL(location.href);
  const code = url.searchParams.get('signin_error');
  if (!code) return undefined;
  url.searchParams.delete('signin_error');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
  return code;
}
