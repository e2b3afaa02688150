import { randomUUID } from 'node:crypto';

import type { Registration } from './functionsCore';
import { newInvocationContext } from './invocations';
import { compileNcrontab } from './ncrontab';

/** `%NAME%` in a binding is an app setting, as the Functions host resolves it. */
export function resolveSetting(value: string): string | undefined {
  const match = /^%(.+)%$/.exec(value);
  return match ? process.env[match[1]!] : value;
}

/** Runs the app's timer-triggered functions on their NCRONTAB schedules (local time), once per matching second. */
export function startTimerTriggers(
  registrations: Registration[],
  log: (line: string) => void,
): { names: string[]; stop(): void } {
  const timers: NodeJS.Timeout[] = [];
  const names: string[] = [];
  for (const { metadata, handler } of registrations) {
    const trigger = Object.values(metadata.bindings).find((b) => b.type.toLowerCase() === 'timertrigger');
    if (!trigger) continue;
    const schedule = resolveSetting(String(trigger.schedule));
    if (!schedule) {
      log(
        `[warning] ${metadata.name}: the schedule ${String(trigger.schedule)} names an app setting that is not set; the timer does not run.`,
      );
      continue;
    }
    const due = compileNcrontab(schedule);
    names.push(metadata.name);
    let running = false;
    let lastSecond = 0;
    timers.push(
      setInterval(() => {
        const now = new Date();
        const second = Math.floor(now.getTime() / 1000);
        if (second === lastSecond || running || !due(now)) return;
        lastSecond = second;
        running = true;
        const context = newInvocationContext(
          {
            invocationId: randomUUID(),
            functionName: metadata.name,
            options: { trigger: { ...trigger, name: String(trigger.name), type: 'timerTrigger' } },
          },
          log,
        );
        Promise.resolve(handler({ isPastDue: false, schedule: { adjustForDST: true } }, context))
          .catch((err: unknown) => log(`[error] ${metadata.name}: ${err instanceof Error ? err.message : String(err)}`))
          .finally(() => (running = false));
      }, 200),
    );
  }
  return { names, stop: () => timers.forEach(clearInterval) };
}
