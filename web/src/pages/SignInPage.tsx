// Sign-in: the identity provider's button when one is configured, the local
// account form when local accounts are enabled, and any reason a previous
// sign-in failed, in words.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api/client.js';
import type { Info, Me } from '../api/types.js';
import { Alert, ErrorAlert } from '../components/Alert.js';
import { AuthLayout } from '../components/AuthLayout.js';
import { Button } from '../components/Button.js';
import { TextField } from '../components/TextField.js';
import { signInErrorMessage } from '../session/signInErrors.js';

export function SignInPage({
  info,
  notice,
  signInError,
  onSignedIn,
}: {
  /** undefined while loading, null when it could not be read. */
  info: Info | null | undefined;
  notice?: 'ended' | 'signedOut';
  signInError?: string;
  onSignedIn: (me: Me, password: string) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const emailRef = useRef<HTMLInputElement>(null);

  const oidc = info?.signIn.oidc ?? null;
  // Without /info, offer the form: most installations have it, and the API says if not.
  const localAccounts = info ? info.signIn.localAccounts : true;

  useEffect(() => {
    if (info !== undefined && !oidc) emailRef.current?.focus();
  }, [info, oidc]);

  const [missing, setMissing] = useState<{ email?: string; password?: string }>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const needed = {
      email: email.trim() ? undefined : 'Enter your email.',
      password: password ? undefined : 'Enter your password.',
    };
    setMissing(needed);
    if (needed.email || needed.password) return;
    setBusy(true);
    setError(undefined);
    try {
      const { user } = await api.signIn(email.trim(), password);
      onSignedIn(user, password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const providerError = !notice && signInError ? signInErrorMessage(signInError) : undefined;
  const fieldError = error instanceof ApiError ? error : undefined;

  return (
    <AuthLayout>
      <header>
        <h1>Sign in</h1>
        <p>Welcome back. Your environments are where you left them.</p>
      </header>

      {notice === 'ended' && (
        <Alert tone="info" title="Your session ended">
          Sign in again to continue.
        </Alert>
      )}
      {notice === 'signedOut' && <Alert tone="success" title="You are signed out." />}
      {providerError && (
        <Alert tone="error" title={providerError.title}>
          {providerError.detail}
        </Alert>
      )}

      {info === undefined && (
        <p className="muted" role="status">
          Loading sign-in options…
        </p>
      )}

      {oidc && (
        <a
          className="btn btn-provider btn-block"
          href={api.oidcSignInUrl(location.pathname === '/' ? '/' : location.pathname)}
        >
          Sign in with {oidc.name}
        </a>
      )}

      {oidc && localAccounts && <div className="divider">or with your email</div>}

      {info !== undefined && localAccounts && (
        <form className="stack" onSubmit={submit} noValidate>
          {error !== undefined && <ErrorAlert error={error} />}
          <TextField
            ref={emailRef}
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            inputMode="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={missing.email ?? fieldError?.fieldMessage('email')}
          />
          <TextField
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={missing.password ?? fieldError?.fieldMessage('password')}
          />
          <Button type="submit" variant="primary" block busy={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
      )}

      {info && !oidc && !localAccounts && (
        <Alert tone="error" title="No way to sign in is configured">
          Ask your administrator to configure an identity provider.
        </Alert>
      )}
    </AuthLayout>
  );
}
