// The dashboard's first page: which platform this is and whether it is up.
// The environments, launch and admin views arrive with the dashboard issue.
import { useEffect, useState } from 'react';

interface Info {
  version: string;
  stage: string;
  backends: {
    dynamodb: { engine: string };
    queue: { engine: string };
    cluster: { kind: string; server?: string };
  };
}

const apiUrl: string = import.meta.env.VITE_API_URL ?? 'http://localhost:8787';

export function App() {
  const [info, setInfo] = useState<Info>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    fetch(`${apiUrl}/api/v1/info`)
      .then(async (res) => {
        if (!res.ok) throw new Error(`The API answered ${res.status}.`);
        setInfo(await res.json());
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);

  return (
    <main
      style={{
        fontFamily: 'system-ui, sans-serif',
        maxWidth: 640,
        margin: '4rem auto',
        padding: '0 1rem',
      }}
    >
      <h1>Lablease</h1>
      <p>Your own research environments on Kubernetes, on demand.</p>
      {error && (
        <p role="alert">
          Cannot reach the API at {apiUrl}: {error}
        </p>
      )}
      {info ? (
        <dl aria-label="Platform">
          <dt>Version</dt>
          <dd>
            {info.version} ({info.stage})
          </dd>
          <dt>Database</dt>
          <dd>{info.backends.dynamodb.engine}</dd>
          <dt>Queue</dt>
          <dd>{info.backends.queue.engine}</dd>
          <dt>Cluster</dt>
          <dd>
            {info.backends.cluster.kind} {info.backends.cluster.server}
          </dd>
        </dl>
      ) : (
        !error && <p>Connecting to the API…</p>
      )}
    </main>
  );
}
