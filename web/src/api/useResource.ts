// One GET, loaded when the path changes and again on reload(): for admin
// screens that show a list or a form rather than live status. Keeps the ETag
// so a form can save with If-Match.
import { useCallback, useEffect, useState } from 'react';
import { send } from './client.js';

export interface Resource<T> {
  data: T | undefined;
  etag: string | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useResource<T>(path: string | undefined): Resource<T> {
  const [state, setState] = useState<{ data?: T; etag?: string; error?: unknown }>({});
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is how reload() runs this again
  useEffect(() => {
    if (!path) return;
    const controller = new AbortController();
    setLoading(true);
    send(path, { signal: controller.signal })
      .then(async (res) => {
        const data = (await res.json()) as T;
        if (!controller.signal.aborted)
          setState({ data, etag: res.headers.get('etag') ?? undefined });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState((prev) => ({ ...prev, error }));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [path, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { data: state.data, etag: state.etag, error: state.error, loading, reload };
}
