// The dashboard: finds out who is signed in, then shows the sign-in page, the
// bootstrap admin's forced password change, or the app itself.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { AppShell } from './AppShell.js';
import { ApiError, api, onSessionEnded, request } from './api/client.js';
import type { Info, Me } from './api/types.js';
import { Button } from './components/Button.js';
import { LogoMark } from './components/Logo.js';
import { PasswordChangePage } from './pages/PasswordChangePage.js';
import { SignInPage } from './pages/SignInPage.js';
import { navigate } from './router.js';
import { type Session, SessionContext } from './session/session.js';
import { takeSignInError } from './session/signInErrors.js';

type State =
  | { kind: 'loading' }
  | { kind: 'unreachable'; error: ApiError }
  | { kind: 'signedOut'; notice?: 'ended' | 'signedOut' }
  | { kind: 'signedIn'; me: Me; oneTimePassword?: string };

// Read before the first render: StrictMode renders twice, the URL changes once.
const initialSignInError = takeSignInError();

export function App() {
  // undefined while loading; null when /info did not answer (the sign-in page then offers the form).
  const [info, setInfo] = useState<Info | null>();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the "Try again" button's way to run this again
  useEffect(() => {
    let cancelled = false;
    // Retried with the session below: the info page needs no credentials and names the sign-in options.
    request<Info>('/api/v1/info')
      .then((value) => !cancelled && setInfo(value))
      .catch(() => !cancelled && setInfo(null));
    request<Me>('/api/v1/me')
      .then((me) => !cancelled && setState({ kind: 'signedIn', me }))
      .catch((err: unknown) => {
        if (cancelled) return;
        if (err instanceof ApiError && err.status === 401) setState({ kind: 'signedOut' });
        else
          setState({
            kind: 'unreachable',
            error:
              err instanceof ApiError
                ? err
                : new ApiError(0, 'Cannot reach Lablease', String(err), 'client'),
          });
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  useEffect(
    () =>
      onSessionEnded(() =>
        setState((prev) =>
          prev.kind === 'signedIn' ? { kind: 'signedOut', notice: 'ended' } : prev,
        ),
      ),
    [],
  );

  const signOut = useCallback(async () => {
    try {
      await api.signOut();
    } finally {
      setState({ kind: 'signedOut', notice: 'signedOut' });
      navigate('/', { replace: true });
    }
  }, []);

  const session = useMemo<Session | undefined>(
    () =>
      state.kind === 'signedIn' ? { me: state.me, info: info ?? undefined, signOut } : undefined,
    [state, info, signOut],
  );

  switch (state.kind) {
    case 'loading':
      return (
        <div className="center-screen" aria-busy="true">
          <div className="stack">
            <LogoMark size={44} />
            <p className="muted" role="status">
              Loading Lablease…
            </p>
          </div>
        </div>
      );
    case 'unreachable':
      return (
        <main className="center-screen">
          <div className="stack">
            <LogoMark size={44} />
            <h1>{state.error.title}</h1>
            <p className="muted">
              {state.error.detail ?? 'The Lablease API did not answer. Try again in a moment.'}
            </p>
            <Button
              variant="primary"
              onClick={() => {
                setState({ kind: 'loading' });
                setAttempt((n) => n + 1);
              }}
            >
              Try again
            </Button>
          </div>
        </main>
      );
    case 'signedOut':
      return (
        <SignInPage
          info={info}
          notice={state.notice}
          signInError={initialSignInError}
          onSignedIn={(me, password) =>
            setState({
              kind: 'signedIn',
              me,
              oneTimePassword: me.mustChangePassword ? password : undefined,
            })
          }
        />
      );
    case 'signedIn':
      if (state.me.mustChangePassword)
        return (
          <PasswordChangePage
            me={state.me}
            currentPassword={state.oneTimePassword}
            onChanged={(me) => setState({ kind: 'signedIn', me })}
            onSignOut={signOut}
          />
        );
      return (
        <SessionContext.Provider value={session}>
          <AppShell />
        </SessionContext.Provider>
      );
  }
}
