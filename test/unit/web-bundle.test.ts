// The dashboard's budget: its production build ships under 250 KB of gzipped
// JavaScript (the figure itself is printed by `npm run bench`). A real
// `vite build` (about 2 s) into a temporary folder.
import { describe, expect, it } from 'vitest';
import { JS_GZIP_BUDGET_BYTES, measureWebBundle } from '../bench/web-bundle.js';

describe('web bundle', () => {
  it('stays under 250 KB of gzipped JavaScript', async () => {
    const size = await measureWebBundle();
    expect(size.files.some((f) => f.file.endsWith('.js'))).toBe(true);
    expect(size.jsGzipBytes).toBeGreaterThan(0);
    expect(size.jsGzipBytes).toBeLessThan(JS_GZIP_BUDGET_BYTES);
  }, 60_000);
});
