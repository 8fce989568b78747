// The bootstrap admin's (or any account's) forced password change. Until it
// is done the API refuses everything else, so this page is all there is. The
// rules are the API's (core/auth/password.ts), shown as a checklist that fills
// in as the user types; the API stays the judge.
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api/client.js';
import type { Me } from '../api/types.js';
import { Alert, ErrorAlert } from '../components/Alert.js';
import { AuthLayout } from '../components/AuthLayout.js';
import { Button } from '../components/Button.js';
import { CheckIcon, CircleIcon } from '../components/Icons.js';
import { TextField } from '../components/TextField.js';

const MIN_LENGTH = 12;

function passwordRules(password: string, email: string) {
  const emailName = email.toLowerCase().split('@')[0] ?? '';
  return [
    { id: 'length', text: `At least ${MIN_LENGTH} characters`, met: password.length >= MIN_LENGTH },
    {
      id: 'variety',
      text: 'More than a few different characters',
      met: new Set(password).size >= 5,
    },
    {
      id: 'email',
      text: 'Does not contain your email name',
      met: password.length > 0 && !(emailName && password.toLowerCase().includes(emailName)),
    },
  ];
}

export function PasswordChangePage({
  me,
  currentPassword: knownCurrent,
  onChanged,
  onSignOut,
}: {
  me: Me;
  /** The one-time password just used to sign in, so it need not be typed twice. */
  currentPassword?: string;
  onChanged: (me: Me) => void;
  onSignOut: () => void;
}) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const rules = passwordRules(next, me.email);
  const allMet = rules.every((r) => r.met);
  const mismatch = confirm.length > 0 && confirm !== next;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (!allMet || next !== confirm || (!knownCurrent && !current)) return;
    setBusy(true);
    setError(undefined);
    try {
      const { user } = await api.changePassword(knownCurrent ?? current, next);
      onChanged(user);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const apiError = error instanceof ApiError ? error : undefined;
  const currentError =
    apiError?.fieldMessage('currentPassword') ??
    (submitted && !knownCurrent && !current ? 'Enter your current password.' : undefined);
  const newError =
    apiError?.fieldMessage('newPassword') ??
    (submitted && !allMet ? 'Choose a password that meets every rule below.' : undefined);

  return (
    <AuthLayout>
      <header>
        <h1>Choose your password</h1>
        <p>
          You signed in as <strong>{me.email}</strong> with a one-time password. Set your own to
          continue.
        </p>
      </header>
      {error !== undefined && (
        <ErrorAlert
          error={
            apiError?.fieldErrors.length
              ? new ApiError(
                  apiError.status,
                  'The password was not changed',
                  'Check the fields below.',
                  apiError.code,
                )
              : error
          }
        />
      )}
      <form className="stack" onSubmit={submit} noValidate>
        {/* A hidden username helps password managers save the new password for the right account. */}
        <input
          type="email"
          name="username"
          autoComplete="username"
          value={me.email}
          readOnly
          hidden
        />
        {!knownCurrent && (
          <TextField
            label="Current password"
            type="password"
            name="current-password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            error={currentError}
          />
        )}
        {knownCurrent && apiError?.fieldMessage('currentPassword') && (
          <Alert tone="error" title="Your one-time password was not accepted">
            Sign out and sign in again.
          </Alert>
        )}
        <TextField
          label="New password"
          type="password"
          name="new-password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          error={newError}
          aria-describedby="password-rules"
        />
        <ul className="rules" id="password-rules" aria-label="Password rules">
          {rules.map((rule) => (
            <li key={rule.id} data-met={rule.met}>
              {rule.met ? <CheckIcon size={16} /> : <CircleIcon size={16} />}
              <span>
                {rule.text}
                <span className="visually-hidden">{rule.met ? ' (met)' : ' (not yet)'}</span>
              </span>
            </li>
          ))}
        </ul>
        <TextField
          label="Confirm new password"
          type="password"
          name="confirm-password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={
            mismatch || (submitted && confirm !== next) ? 'The passwords do not match.' : undefined
          }
        />
        <Button type="submit" variant="primary" block busy={busy}>
          {busy ? 'Saving…' : 'Save password and continue'}
        </Button>
        <Button variant="ghost" block onClick={onSignOut}>
          Sign out
        </Button>
      </form>
    </AuthLayout>
  );
}
