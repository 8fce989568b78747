// Runs AWS's DynamoDB Local (Java) as a child process on a free port.
//
// -sharedDb: without it DynamoDB Local keeps one database per access key and
// region, so two clients with different dummy credentials would not see each
// other's tables.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ensureDynamoDbJar } from './dynamodb-jar.js';

export interface DynamoDbLocalOptions {
  /** Keep data in memory only (tests). The default unless `dbPath` is given. */
  inMemory?: boolean;
  /** Directory for the database file (`npm run dev`), so data survives a restart. */
  dbPath?: string;
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** How long to wait for the first answer before giving up. */
  startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

// Credentials and region are ignored by DynamoDB Local under -sharedDb, but the
// SDK refuses to sign without them.
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

// The child is a tiny shell that starts java and watches its own stdin, a pipe
// from us: when this process dies in any way (even SIGKILL) the pipe closes and
// the shell kills java, so no JVM outlives its parent. A TERM to the shell is
// passed on to java and the shell exits only once java has.
const SUPERVISOR = `
exec 3<&0
"$@" </dev/null &
java=$!
{ while read -r _ <&3; do :; done; kill "$java" 2>/dev/null; } &
watch=$!
exec 3<&-
trap 'kill "$java" 2>/dev/null' TERM INT HUP
status=0
while kill -0 "$java" 2>/dev/null; do wait "$java"; status=$?; done
kill "$watch" 2>/dev/null
exit "$status"
`;

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  if (opts.inMemory && opts.dbPath)
    throw new Error('DynamoDB Local: pass inMemory or dbPath, not both');
  const dir = await ensureDynamoDbJar();
  const storage = opts.dbPath ? ['-dbPath', resolve(opts.dbPath)] : ['-inMemory'];
  if (opts.dbPath) await mkdir(resolve(opts.dbPath), { recursive: true });
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  if (opts.port !== undefined) return launch(dir, opts.port, storage, timeoutMs);
  // A port free a moment ago can be taken before Java binds it: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(dir, await freePort(), storage, timeoutMs);
    } catch (error) {
      if (!(error instanceof PortInUse) || attempt === 3) throw error;
    }
  }
}

class PortInUse extends Error {}

async function launch(
  dir: string,
  port: number,
  storage: string[],
  timeoutMs: number,
): Promise<DynamoDbLocal> {
  const javaArgs = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    '-sharedDb',
    '-port',
    String(port),
    ...storage,
  ];
  const child = spawn('sh', ['-c', SUPERVISOR, 'sh', 'java', ...javaArgs], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches our parent, which
    // decides when to stop us, instead of killing the database mid-shutdown.
    detached: true,
  });
  const output = tail(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // The supervisor would also notice our stdin pipe closing; this is quicker.
  const killOnExit = () => signalGroup(child, 'SIGTERM');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const forced = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    }
  };

  try {
    await waitUntilAnswering(endpoint, child, output, timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const client = new DynamoDBClient({
    ...LOCAL_AWS,
    endpoint,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      // Jetty's bind failure kills only Java's main thread: the JVM lives on.
      if (/Failed to bind|BindException/.test(output())) {
        throw new PortInUse(
          `DynamoDB Local could not listen on ${endpoint} (port in use)\n${output()}`,
        );
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `DynamoDB Local exited (${child.exitCode ?? child.signalCode}) before answering on ${endpoint}\n${output()}`,
        );
      }
      try {
        // A per-request deadline: the SDK's requestTimeout only warns, and a
        // port taken by something else may accept and never answer.
        await client.send(new ListTablesCommand({ Limit: 1 }), {
          abortSignal: AbortSignal.timeout(2_000),
        });
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms (${String(error)})\n${output()}`,
          );
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.destroy();
  }
}

/** Keeps the last few KB of the child's stdout and stderr for error messages. */
function tail(child: ChildProcess, limit = 8_192): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-limit);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text.trim();
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
