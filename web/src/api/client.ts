// The dashboard's only way to the API. Cookies carry the session (HttpOnly,
// on the API's host), so every call is `credentials: 'include'`. An access
// cookie lives ~10 minutes: a 401 triggers one refresh — shared by every call
// that hit it at the same moment — and the call is retried once. When the
// refresh fails too, the session is over and listeners are told.
//
//   call ─▶ 401 ─▶ refresh (single flight) ─▶ 200 ─▶ retry call once
//                                         └─▶ 401 ─▶ sessionEnded listeners
import type { SignedIn } from './types.js';

export const apiUrl: string = (import.meta.env.VITE_API_URL ?? 'http://localhost:8787').replace(
  /\/+$/,
  '',
);

export interface FieldProblem {
  field: string;
  message: string;
}

/** An API error in people's words: problem+json's title and detail, and field errors for forms. */
export class ApiError extends Error {
  constructor(
    /** 0 when the API could not be reached at all. */
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    /** The last segment of the problem type, e.g. "invalid-credentials". */
    readonly code: string,
    readonly fieldErrors: FieldProblem[] = [],
  ) {
    super(detail ?? title);
    this.name = 'ApiError';
  }

  /** The message for one form field, if the API named it. */
  fieldMessage(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.message;
  }
}

/** Paths that manage the session themselves: a 401 there is an answer, not an expired cookie. */
const SESSION_PATHS = ['/auth/password', '/auth/refresh', '/auth/logout'];

type SessionEndedListener = () => void;
const sessionEndedListeners = new Set<SessionEndedListener>();

/** Called when the session cannot be renewed (signed out elsewhere, expired, revoked). */
export function onSessionEnded(listener: SessionEndedListener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

let refreshing: Promise<boolean> | undefined;

/**
 * Renews the session once for every caller waiting on it. Across tabs, a Web
 * Lock keeps two refreshes from presenting the same refresh cookie: the API
 * treats a replayed refresh token as theft and ends the session.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    const post = async () => {
      try {
        const res = await fetch(`${apiUrl}/auth/refresh`, {
          method: 'POST',
          credentials: 'include',
        });
        return res.ok;
      } catch {
        return false;
      }
    };
    return navigator.locks ? navigator.locks.request('lablease-refresh', post) : post();
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Sends a request with the session, renewing it once on a 401. Answers the
 * Response for any status below 400 (304 included); throws ApiError otherwise.
 */
export async function send(path: string, opts: RequestOptions = {}): Promise<Response> {
  const attempt = () => rawSend(path, opts);
  let res = await attempt();
  if (res.status === 401 && !SESSION_PATHS.includes(path)) {
    if (await refreshSession()) {
      res = await attempt();
    }
    if (res.status === 401) {
      for (const listener of [...sessionEndedListeners]) listener();
    }
  }
  if (res.status >= 400) throw await errorFrom(res);
  return res;
}

/** A JSON request; resolves the parsed body, or undefined for 204. */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(path, opts);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

async function rawSend(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    ...opts.headers,
  };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(`${apiUrl}${path}`, {
      method: opts.method ?? 'GET',
      credentials: 'include',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw new ApiError(
      0,
      'Cannot reach Lablease',
      'The server did not answer. Check your connection and try again in a moment.',
      'network',
    );
  }
}

interface ProblemBody {
  type?: string;
  title?: string;
  detail?: string;
  errors?: FieldProblem[];
}

async function errorFrom(res: Response): Promise<ApiError> {
  let body: ProblemBody = {};
  if (/json/.test(res.headers.get('content-type') ?? '')) {
    try {
      body = (await res.json()) as ProblemBody;
    } catch {
      // An unreadable body: fall back to the status below.
    }
  }
  const code = body.type?.split('/').pop() || `http-${res.status}`;
  return new ApiError(
    res.status,
    body.title || fallbackTitle(res.status),
    body.detail,
    code,
    Array.isArray(body.errors) ? body.errors : [],
  );
}

function fallbackTitle(status: number): string {
  if (status === 401) return 'Not signed in';
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 429) return 'Too many attempts';
  if (status >= 500) return 'Something went wrong on our side';
  return `The request failed (${status})`;
}

/** A readable sentence for any error a screen catches. */
export function describeError(err: unknown): { title: string; detail?: string } {
  if (err instanceof ApiError) return { title: err.title, detail: err.detail };
  return {
    title: 'Something went wrong',
    detail: err instanceof Error ? err.message : String(err),
  };
}

// ---- the session endpoints ----

export const api = {
  signIn: (email: string, password: string) =>
    request<SignedIn>('/auth/password', { method: 'POST', body: { email, password } }),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<SignedIn>('/auth/password/change', {
      method: 'POST',
      body: { currentPassword, newPassword },
    }),
  signOut: () => request<void>('/auth/logout', { method: 'POST' }),
  /** Where the browser goes to sign in with the identity provider. */
  oidcSignInUrl: (returnTo: string) =>
    `${apiUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
};
