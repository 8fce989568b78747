// Lambda entry point of the reaper (every minute): warns before and culls
// idle and over-age environments (core/jobs/reaper.ts).
import { loadConfig } from '../core/config.js';
import { reapEnvironments } from '../core/jobs/reaper.js';
import { createWorkerServices } from '../core/services.js';

const services = createWorkerServices(loadConfig());

export const handler = () => reapEnvironments(services);
