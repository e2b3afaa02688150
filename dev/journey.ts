import type { TimelineEvent } from './scenarioRunner';
import type { ScenarioTarget } from './scenarios';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a journey through the public API keeps and does: a timeline, the mismatches found, calls
 * to the service with its key, and polling (as a Logic App would) until something holds or the
 * deadline passes.
 */
export function journey<Answer>(target: ScenarioTarget, options: { timeoutMs?: number; pollIntervalMs?: number }) {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 30_000);
  const timeline: TimelineEvent[] = [];
  const mismatches: string[] = [];
  const headers = { 'x-functions-key': target.functionKey, 'content-type': 'application/json' };
  return {
    timeline,
    mismatches,
    note: (what: string) => timeline.push({ atMs: Date.now() - started, what }),
    async api(method: string, url: string, body?: unknown) {
      const res = await fetch(url.startsWith('http') ? url : `${target.hostUrl}${url}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Answer) : undefined };
    },
    /** Polls until `done` holds or the deadline passes; a mismatch if it never does. */
    async until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
      let value = await read();
      while (!done(value) && Date.now() < deadline) {
        await sleep(options.pollIntervalMs ?? 500);
        value = await read();
      }
      if (!done(value)) mismatches.push(`${what}: not reached before the deadline`);
      return value;
    },
  };
}
