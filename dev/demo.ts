// `npm run demo`: with `npm start` running, walks every scenario through the service's public API
// (invite -> poll Location -> roster -> events), a call the service owns from join to hang-up, and
// a meeting whose roster Graph reports whole until it ends, and prints a timeline with each call's
// events, a call to a phone number, and the hotline (a call to the bot's number answered, the on-call
// engineer invited into it). Exits non-zero if anything differs.
import { runCallJourney } from './callJourney';
import { runHotlineJourney, runPhoneCallJourney } from './phoneJourneys';
import { runRosterJourney } from './rosterJourney';
import { runScenario } from './scenarioRunner';
import { SCENARIOS } from './scenarios';
import { DEV_PSTN_APPLICATION_INSTANCE_ID } from './stack';

async function main() {
  const target = {
    hostUrl: process.env.HOST_URL || 'http://127.0.0.1:7071',
    functionKey: process.env.LOCAL_FUNCTION_KEY || 'local-dev-function-key',
    simulatorUrl: process.env.SIMULATOR_URL || 'http://127.0.0.1:7072',
  };
  const ringTimeoutMs = Number(process.env.DEMO_RING_TIMEOUT_MS || 5000);
  try {
    await fetch(`${target.hostUrl}/api/health`);
  } catch {
    console.error(`Nothing answers at ${target.hostUrl}: start everything with "npm start" first.`);
    process.exit(2);
  }
  console.log(
    `Walking ${SCENARIOS.length} scenarios against ${target.hostUrl} (unanswered invitees ring ${ringTimeoutMs / 1000} s)\n`,
  );
  let failures = 0;
  const results = await Promise.all([
    ...SCENARIOS.map((scenario) => runScenario(target, scenario, { ringTimeoutMs })),
    runCallJourney(target),
    runRosterJourney(target),
    runPhoneCallJourney(target),
    runHotlineJourney(target, { applicationInstanceId: DEV_PSTN_APPLICATION_INSTANCE_ID }),
  ]);
  for (const result of results) {
    console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${result.name}`);
    for (const event of result.timeline) console.log(`     +${String(event.atMs).padStart(5)} ms  ${event.what}`);
    for (const mismatch of result.mismatches) console.log(`     !! ${mismatch}`);
    if (!result.ok) failures++;
    console.log('');
  }
  console.log(
    failures
      ? `${failures} of ${results.length} scenarios differ from what Graph's pages describe.`
      : `All ${results.length} scenarios behaved as expected.`,
  );
  process.exit(failures ? 1 : 0);
}

void main();
