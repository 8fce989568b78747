// The frame of the signed-out pages: what Lablease is on one side, the form on the other.
import type { ReactNode } from 'react';
import { CheckIcon } from './Icons.js';
import { Logo } from './Logo.js';

export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth-layout">
      <aside className="auth-brand" aria-label="About Lablease">
        <Logo />
        <div className="auth-pitch">
          <p className="auth-title">Your own research environment, ready in a minute.</p>
          <p>
            Jupyter, Streamlit or your own image on Kubernetes, with a workspace that keeps your
            files. It sleeps when you do, and wakes when you come back.
          </p>
          <ul className="auth-points">
            <li>
              <CheckIcon /> Launch from a curated catalog — no YAML, no tickets.
            </li>
            <li>
              <CheckIcon /> Your workspace volume survives every stop and restart.
            </li>
            <li>
              <CheckIcon /> Idle compute is handed back automatically.
            </li>
          </ul>
        </div>
        <p className="auth-footnote">Isolated per user · private by default</p>
      </aside>
      <main className="auth-main" id="main">
        <div className="auth-card">{children}</div>
      </main>
    </div>
  );
}
