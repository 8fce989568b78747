// RFC 9457 problem details: the only error shape the API answers with.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, type FieldError } from '../errors.js';

export const PROBLEM_BASE = 'https://lablease.dev/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export function problemResponse(c: Context, problem: Problem, headers?: Record<string, string>) {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    ...headers,
  });
}

export function problemFrom(err: unknown, instance?: string): Problem {
  if (err instanceof DomainError) {
    return {
      type: PROBLEM_BASE + err.code,
      title: err.title,
      status: err.status,
      detail: err.message,
      ...(instance ? { instance } : {}),
      ...(err.fieldErrors ? { errors: err.fieldErrors } : {}),
    };
  }
  if (err instanceof HTTPException) {
    return {
      type: 'about:blank',
      title: err.message || 'HTTP error',
      status: err.status,
      ...(instance ? { instance } : {}),
    };
  }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong on our side; it has been logged.',
    ...(instance ? { instance } : {}),
  };
}
