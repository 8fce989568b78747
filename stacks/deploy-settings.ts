// This deploy's settings, read once (stacks/settings.ts says what they are).
import { readSettings } from './settings';

export const settings = readSettings();
