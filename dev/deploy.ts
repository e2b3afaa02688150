// `npm run deploy -- <function-app-name>`: builds, packages only what runs (the compiled app,
// host.json, package.json and the production dependencies) and publishes it with Core Tools.
// `npm run deploy -- --package-only [--out <dir>]` stops after packaging (the tests check the package).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

import { projectRoot } from './stack';

/** What the Functions host loads: the entry point and the logic; not dev/, bench/ or the tests. */
const SHIPPED = ['dist/functions', 'dist/src', 'host.json', 'package.json', 'package-lock.json'];
const PUBLISH_ATTEMPTS = 4;
const PUBLISH_PAUSE_MS = 30_000;

/** Runs a command, its output shown as it comes; resolves with its exit code and the end of its output. */
function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ['inherit', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    let output = '';
    const keep = (to: NodeJS.WriteStream) => (chunk: Buffer) => {
      to.write(chunk);
      output = (output + chunk.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * Whether a failed publish failed because the app's identity does not hold its storage role yet: a
 * new role assignment takes minutes to apply, and the package goes through that storage. Only that is
 * worth trying again; any other failure (a wrong app name, no login) fails at once.
 */
export const awaitsRoleAssignment = (output: string) =>
  /AuthorizationPermissionMismatch|AuthorizationFailure|not authorized to perform this operation|\(403\)|\b403 Forbidden\b|status code:? 403/i.test(
    output,
  );

function sizeOf(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    bytes += statSync(path.join(entry.parentPath, entry.name)).size;
    files++;
  }
  return { bytes, files };
}

/** Writes the deployment package to `out`: npm installs the production dependencies from the lockfile. */
export async function buildPackage(out: string): Promise<{ bytes: number; files: number }> {
  if (!existsSync(path.join(projectRoot, 'dist/functions/index.js'))) throw new Error('Run npm run build first.');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const item of SHIPPED) cpSync(path.join(projectRoot, item), path.join(out, item), { recursive: true });
  const { code } = await run(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    out,
  );
  if (code !== 0) throw new Error(`npm ci --omit=dev failed (${code}).`);
  return sizeOf(out);
}

/**
 * Publishes the package with Core Tools. `FUNCTIONS_WORKER_RUNTIME` comes from here, not from a
 * local.settings.json a clone does not have; `--no-build`: the package is complete as it is. A new
 * app's identity may not yet have the storage role its package goes through (role assignments take
 * minutes to apply): a publish refused for that is tried again a few times; any other failure is final.
 */
async function publish(appName: string, dir: string): Promise<void> {
  const env = { ...process.env, FUNCTIONS_WORKER_RUNTIME: 'node' };
  for (let attempt = 1; ; attempt++) {
    const { code, output } = await run('func', ['azure', 'functionapp', 'publish', appName, '--no-build'], dir, env);
    if (code === 0) return;
    if (!awaitsRoleAssignment(output)) throw new Error(`func azure functionapp publish failed (${code}).`);
    if (attempt >= PUBLISH_ATTEMPTS) throw new Error(`func azure functionapp publish failed ${attempt} times.`);
    console.warn(`Publish refused (${code}): the app's role assignments are still applying. Again in 30 s.`);
    await new Promise((resolve) => setTimeout(resolve, PUBLISH_PAUSE_MS));
  }
}

async function main() {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 && args[outAt + 1] ? path.resolve(args[outAt + 1]!) : path.join(projectRoot, '.deploy');
  const packageOnly = args.includes('--package-only');
  const appName = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
  if (!packageOnly && !appName) throw new Error('Usage: npm run deploy -- <function-app-name>');
  const { bytes, files } = await buildPackage(out);
  console.log(`Package: ${path.relative(process.cwd(), out) || out}, ${files} files, ${(bytes / 1e6).toFixed(1)} MB.`);
  if (!packageOnly) await publish(appName!, out);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
