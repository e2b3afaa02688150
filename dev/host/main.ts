// `npm run host`: only the local Functions host, configured from the environment
// (and local.settings.json's Values for anything the environment does not set, as `func start` does).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { bufferedLog } from './bufferedLog';
import { startApp } from './functionsCore';
import { startLocalHost } from './localHost';
import { type QueueOptions, startQueueTriggers } from './queueTriggers';
import { startTimerTriggers } from './timerTriggers';

const root = path.resolve(__dirname, '..', '..', '..');

function applyLocalSettings() {
  if (process.env.LOAD_LOCAL_SETTINGS === 'false') return;
  const file = path.join(root, 'local.settings.json');
  if (!existsSync(file)) return;
  const values = (JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, string> }).Values ?? {};
  for (const [name, value] of Object.entries(values)) process.env[name] ??= value;
}

const hostJson = () =>
  JSON.parse(readFileSync(path.join(root, 'host.json'), 'utf8')) as {
    extensions?: { http?: { routePrefix?: string }; queues?: QueueOptions };
  };
const routePrefix = () => hostJson().extensions?.http?.routePrefix ?? 'api';

async function main() {
  applyLocalSettings();
  const functionKey = process.env.LOCAL_FUNCTION_KEY || 'local-dev-function-key';
  process.env.LOCAL_FUNCTION_KEY = functionKey;
  const port = Number(process.env.PORT || 7071);
  // As Core Tools sets localhost:<port> (here the loopback address the host listens on): the app's own
  // name, which App Service sets in Azure. The app reads where Graph calls it back from this, never
  // from a request (src/config.ts, publicAddresses).
  process.env.WEBSITE_HOSTNAME = `127.0.0.1:${port}`;
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
  let started;
  try {
    started = await startApp(path.join(root, pkg.main));
  } catch (err) {
    console.error(`The app failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const log = bufferedLog();
  const { registrations, capabilities } = started;
  const host = await startLocalHost({
    registrations,
    streaming: Boolean(capabilities.HttpUri),
    routePrefix: routePrefix(),
    functionKey,
    port,
    host: process.env.HOST || '127.0.0.1',
    log,
  });
  const queues = startQueueTriggers(registrations, log, hostJson().extensions?.queues);
  const timers = startTimerTriggers(registrations, log);
  console.log(`Functions host listening on ${host.url}`);
  for (const fn of host.functions) {
    console.log(
      `  ${fn.name}: [${fn.methods.join(',')}] ${host.url}/${routePrefix()}/${fn.route.template} (${fn.authLevel})`,
    );
  }
  for (const name of queues.names) console.log(`  ${name}: queue trigger`);
  for (const name of timers.names) console.log(`  ${name}: timer trigger`);
  const stop = () => {
    timers.stop();
    void Promise.all([host.close(), queues.stop()]).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // `npm run bench -- --long` reads the RSS after a full collection: started with --expose-gc,
  // the host collects on SIGUSR2.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) process.on('SIGUSR2', () => gc());
}

void main();
