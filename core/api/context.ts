// What handlers find on the Hono context.
import type { Principal } from '../auth/principal.js';

export type AppEnv = {
  Variables: {
    principal: Principal;
    requestId: string;
  };
};
