// Fetches AWS's DynamoDB Local (the real engine, a Java program) through the
// npm registry: the package `amplify-dynamodb-simulator` ships the jar under
// emulator/. We `npm pack` one pinned version, check its hash, and unpack only
// emulator/ into a git-ignored cache. Installing the package instead would pull
// 280+ dependencies for a wrapper we do not use.
//
//   tsx stacks/local/dynamodb-jar.ts   → prints the directory (npm run ddb:fetch)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const DYNAMODB_SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator';
export const DYNAMODB_SIMULATOR_VERSION = '2.9.30';
// sha256 of the npm tarball `amplify-dynamodb-simulator-2.9.30.tgz` itself.
// Not the value in the package's own emulator/sha256 file: that one is the hash
// of AWS's upstream dynamodb_local tarball, which the package does not contain,
// so it cannot verify anything we download.
export const DYNAMODB_SIMULATOR_TARBALL_SHA256 =
  '3503ffac19f183407909fecdacf4db51ab1fdad1da7b2f177016670b2d80e4b9';

const JAVA_HINT =
  'install Java 17 or newer, e.g. `apt-get install -y openjdk-17-jre-headless` on Debian/Ubuntu';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_CACHE_ROOT = join(REPO_ROOT, '.cache', 'dynamodb-local');
// Written last: a directory without it is a half-finished extraction.
const COMPLETE_MARKER = '.complete';

/** Thrown when DynamoDB Local cannot run here; its message is one actionable line. */
export class DynamoDbLocalUnavailable extends Error {
  override name = 'DynamoDbLocalUnavailable';
}

let javaChecked: Promise<void> | undefined;

/** Fails with one clear line when `java` is missing or older than 17. */
export function assertJava17(): Promise<void> {
  javaChecked ??= checkJava().catch((error: unknown) => {
    javaChecked = undefined; // let a later call retry after the user installs Java
    throw error;
  });
  return javaChecked;
}

async function checkJava(): Promise<void> {
  let output: string;
  try {
    // `java -version` writes to stderr.
    const { stdout, stderr } = await run('java', ['-version']);
    output = `${stderr}${stdout}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'java was not found on the PATH' : '`java -version` failed';
    throw new DynamoDbLocalUnavailable(`DynamoDB Local needs Java 17+: ${reason}; ${JAVA_HINT}.`);
  }
  const major = javaMajorVersion(output);
  if (major === undefined || major < 17) {
    const found = major === undefined ? 'an unknown version' : `Java ${major}`;
    throw new DynamoDbLocalUnavailable(
      `DynamoDB Local needs Java 17+ but found ${found}; ${JAVA_HINT}.`,
    );
  }
}

/** Major version from `java -version` output: `"17.0.15"` → 17, legacy `"1.8.0_402"` → 8. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/**
 * Returns a directory holding DynamoDBLocal.jar and DynamoDBLocal_lib/,
 * downloading and verifying it on first use. Idempotent; concurrent callers
 * (two processes) each extract into their own temp dir and the first rename wins.
 */
export async function ensureDynamoDbJar(options: { cacheRoot?: string } = {}): Promise<string> {
  await assertJava17();
  const cacheRoot = options.cacheRoot ?? DEFAULT_CACHE_ROOT;
  const target = join(cacheRoot, DYNAMODB_SIMULATOR_VERSION);
  if (await exists(join(target, COMPLETE_MARKER))) return target;

  await mkdir(cacheRoot, { recursive: true });
  // Same filesystem as the target, so the final rename is atomic.
  const work = await mkdtemp(join(cacheRoot, `.tmp-${process.pid}-`));
  try {
    const tarball = await packTarball(work);
    await verifySha256(tarball, DYNAMODB_SIMULATOR_TARBALL_SHA256);
    const staged = join(work, 'emulator');
    await mkdir(staged);
    await run('tar', ['-xzf', tarball, '-C', staged, '--strip-components=2', 'package/emulator']);
    if (!(await exists(join(staged, 'DynamoDBLocal.jar')))) {
      throw new Error(`${tarball} has no package/emulator/DynamoDBLocal.jar`);
    }
    await writeFile(join(staged, COMPLETE_MARKER), `${DYNAMODB_SIMULATOR_VERSION}\n`);
    await publish(staged, target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function packTarball(into: string): Promise<string> {
  const spec = `${DYNAMODB_SIMULATOR_PACKAGE}@${DYNAMODB_SIMULATOR_VERSION}`;
  try {
    // `npm pack <spec>` only downloads the tarball: no install, no scripts, no deps.
    await run('npm', ['pack', spec, '--pack-destination', into, '--silent'], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`npm pack ${spec} failed${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
  const tarball = (await readdir(into)).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${spec} produced no tarball`);
  return join(into, tarball);
}

async function verifySha256(file: string, expected: string): Promise<void> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  if (actual !== expected) {
    throw new Error(`sha256 mismatch for ${file}: expected ${expected}, got ${actual}`);
  }
}

async function publish(staged: string, target: string): Promise<void> {
  try {
    await rename(staged, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    // Another process finished first: keep its copy.
    if (await exists(join(target, COMPLETE_MARKER))) return;
    // A leftover without the marker is a broken extraction: replace it.
    await rm(target, { recursive: true, force: true });
    await rename(staged, target);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  ensureDynamoDbJar().then(
    (dir) => console.log(dir),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
