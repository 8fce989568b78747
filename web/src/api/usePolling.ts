// Live data without reloads: polls a GET with If-None-Match, so an unchanged
// resource costs a 304 and no re-render. It polls fast while something is
// changing (an environment starting or stopping) and slowly when all is
// stable, pauses while the tab is hidden, and keeps showing the last good data
// through a failed poll — nothing blinks.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, send } from './client.js';

export interface PollingOptions<T> {
  /** While this answers true, poll every fastMs; otherwise every slowMs. */
  isChanging?: (data: T) => boolean;
  fastMs?: number;
  slowMs?: number;
  /** Stop polling (e.g. the page does not need the data). */
  paused?: boolean;
}

export interface Polled<T> {
  data: T | undefined;
  /** The last poll's error; data stays the last good answer. */
  error: ApiError | undefined;
  loading: boolean;
  /** Poll now (after an action), and switch to the fast pace. */
  refresh: () => void;
}

export function usePolling<T>(path: string, opts: PollingOptions<T> = {}): Polled<T> {
  const { fastMs = 1500, slowMs = 15_000, paused = false } = opts;
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const isChanging = useRef(opts.isChanging);
  isChanging.current = opts.isChanging;
  const poke = useRef<() => void>(() => {});

  useEffect(() => {
    if (paused) return;
    let etag: string | undefined;
    // Without an ETag (or when CORS hides it), an identical body still changes nothing on screen.
    let lastBody: string | undefined;
    let last: T | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;
    let stopped = false;
    let fast = true;

    const schedule = () => {
      clearTimeout(timer);
      if (stopped || document.hidden) return;
      timer = setTimeout(poll, fast ? fastMs : slowMs);
    };

    const poll = async () => {
      clearTimeout(timer);
      controller?.abort();
      const current = new AbortController();
      controller = current;
      try {
        const res = await send(path, {
          signal: current.signal,
          headers: etag ? { 'if-none-match': etag } : {},
        });
        if (res.status !== 304) {
          etag = res.headers.get('etag') ?? undefined;
          const body = await res.text();
          if (current.signal.aborted) return;
          if (body !== lastBody) {
            lastBody = body;
            last = JSON.parse(body) as T;
            setData(last);
          }
        }
        fast = last !== undefined && (isChanging.current?.(last) ?? false);
        setError(undefined);
      } catch (err) {
        if (current.signal.aborted) return;
        if (err instanceof ApiError) setError(err);
        else setError(new ApiError(0, 'Something went wrong', String(err), 'client'));
      } finally {
        if (!current.signal.aborted) {
          setLoading(false);
          schedule();
        }
      }
    };

    poke.current = () => {
      fast = true;
      void poll();
    };
    const onVisibility = () => {
      if (!document.hidden) void poll();
      else clearTimeout(timer);
    };
    document.addEventListener('visibilitychange', onVisibility);
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [path, fastMs, slowMs, paused]);

  const refresh = useCallback(() => poke.current(), []);
  return { data, error, loading, refresh };
}
