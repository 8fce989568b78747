// Optional persistence for `npm run dev`: the store is loaded from a JSON file
// on start and written back after changes — debounced, and through a rename so
// a crash mid-write never leaves a torn file.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Store } from './store.js';

export async function loadSnapshot(store: Store, path: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  store.restore(JSON.parse(text));
  return true;
}

/** Saves the store to `path` at most every `debounceMs` after a change; returns flush-and-stop. */
export function persistOnChange(store: Store, path: string, debounceMs = 250): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const save = () => {
    timer = undefined;
    const snap = JSON.stringify(store.snapshot());
    writing = writing.then(async () => {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, snap);
      await rename(tmp, path);
    });
  };
  const off = store.onChange(() => {
    timer ??= setTimeout(save, debounceMs);
  });
  return async () => {
    off();
    if (timer) {
      clearTimeout(timer);
      save();
    }
    await writing;
  };
}
