// One `npm run dev` per state folder: a second one would share DynamoDB's data
// files and the kubesim snapshot and corrupt both, so it must refuse clearly.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export class AlreadyRunning extends Error {
  override name = 'AlreadyRunning';
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock file or throws AlreadyRunning; returns the release function. */
export function acquireLock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new AlreadyRunning(
          `Another Lablease local stack is already running (pid ${pid}, lock ${path}). Stop it first (Ctrl-C in its terminal).`,
        );
      }
      // The previous run died without cleaning up: the lock is stale.
      rmSync(path, { force: true });
    }
  }
  throw new AlreadyRunning(`Could not take the lock ${path}.`);
}
