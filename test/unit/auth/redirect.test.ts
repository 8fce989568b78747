import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeRedirect } from '../../../core/auth/redirect.js';

const web = 'http://localhost:5173';
const home = `${web}/`;

describe('safeRedirect', () => {
  it.each([
    ['/environments/abc', `${web}/environments/abc`],
    ['/environments?tab=running#top', `${web}/environments?tab=running#top`],
    [`${web}/admin`, `${web}/admin`],
    [undefined, home],
    ['', home],
  ])('keeps %s on the dashboard', (target, expected) => {
    expect(safeRedirect(target, web)).toBe(expected);
  });

  it.each([
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https:evil.example',
    'https://evil.example',
    'http://localhost:5173.evil.example/',
    'http://localhost:5173@evil.example/',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/%2f%2fevil.example',
    '/%5cevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    ' //evil.example',
    'evil.example',
    'http://localhost:8787/',
  ])('refuses %j', (target) => {
    expect(safeRedirect(target, web)).toBe(home);
  });

  it('never leaves the web origin, whatever the input', () => {
    fc.assert(
      fc.property(fc.string(), fc.webUrl(), (s, url) => {
        for (const t of [s, url, `/${s}`, `//${s}`]) {
          expect(new URL(safeRedirect(t, web)).origin).toBe(web);
        }
      }),
      { numRuns: 500 },
    );
  });
});
