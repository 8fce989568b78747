// A message in a box: errors are announced to screen readers (role=alert),
// information and success politely (role=status).
import type { ReactNode } from 'react';
import { describeError } from '../api/client.js';
import { AlertIcon, CheckIcon, InfoIcon } from './Icons.js';

export function Alert({
  tone,
  title,
  children,
}: {
  tone: 'error' | 'info' | 'success';
  title: ReactNode;
  children?: ReactNode;
}) {
  const icon = tone === 'error' ? <AlertIcon /> : tone === 'success' ? <CheckIcon /> : <InfoIcon />;
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <span className="alert-icon">{icon}</span>
      <div>
        <strong>{title}</strong>
        {children && <div>{children}</div>}
      </div>
    </div>
  );
}

/** Any caught error as people read it: the problem's title and detail, never raw JSON. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { title, detail } = describeError(error);
  return (
    <Alert tone="error" title={title}>
      {detail}
    </Alert>
  );
}
