// Schema failures become 422 problem+json with one entry per field; the
// request changes nothing.
import type { Hook } from '@hono/zod-openapi';
import { ValidationFailed } from '../errors.js';

// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route's schemas
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) {
    throw new ValidationFailed(
      result.error.issues.map((i) => ({
        field: i.path.map(String).join('.') || '(body)',
        message: i.message,
      })),
    );
  }
};
