// `node dist/dev/simulator/main.js`: the Graph simulator alone (npm start runs it for you).
import { startGraphSimulator } from './graphSimulator';

async function main() {
  const sim = await startGraphSimulator({
    port: Number(process.env.SIMULATOR_PORT || 7072),
    appId: process.env.GRAPH_CLIENT_ID || process.env.CALLBACK_AUDIENCE || '11111111-2222-3333-4444-555555555555',
    tenantId: process.env.GRAPH_TENANT_ID || undefined,
    defaultCallbackUrl: process.env.SIMULATOR_CALLBACK_URL || 'http://127.0.0.1:7071/api/notifications',
    log: (line) => console.log(line),
  });
  console.log(`Graph simulator on ${sim.url} (Graph base URL ${sim.graphBaseUrl})`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
