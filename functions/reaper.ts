// Lambda entry point of the reaper (every minute): warns before and culls
// idle and over-age environments (core/jobs/reaper.ts).
import { loadConfig } from '../core/config.js';
import { reapEnvironments } from '../core/jobs/reaper.js';
import { createServices } from '../core/services.js';

const services = await createServices(loadConfig());
const deps = { ...services, users: services.auth.users };

export const handler = () => reapEnvironments(deps);
