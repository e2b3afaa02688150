import { participantOf, rosterNotification } from './graphPayloads';

/**
 * A meeting filling up, for the join-burst test and the benchmark: every participant joins once,
 * in roster notifications of 1 to 100 participants, a share of the notifications delivered twice,
 * all shuffled and spread over a window, delivered round-robin to a set of instances.
 */
export interface BurstPlan {
  participants: number;
  seconds: number;
  /** The share of notifications Graph delivers a second time. */
  duplicates: number;
  /** Seeds the sizes, the repeats and the order, so a run can be replayed. */
  seed: number;
}

/** A small seeded generator (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The roster key of the `i`th participant of a burst into `callId`. */
export const burstParticipantKey = (callId: string, i: number) => `user:${callId}-person-${i}`;

/** The notifications of a burst and when, in milliseconds from its start, each is delivered. */
export function burstDeliveries(callId: string, plan: BurstPlan): Array<{ body: unknown; at: number }> {
  const next = seededRandom(plan.seed);
  const notifications: unknown[] = [];
  for (let i = 0; i < plan.participants;) {
    const size = Math.min(plan.participants - i, 1 + Math.floor(next() * 100));
    const people = Array.from({ length: size }, (_, j) => participantOf('user', `${callId}-person-${i + j}`));
    notifications.push(rosterNotification(callId, people, 'created'));
    i += size;
  }
  const deliveries = notifications.map((body) => ({ body, at: next() * plan.seconds * 1000 }));
  // Graph delivers a notification again only after the first delivery failed or timed out: a
  // repeat comes at least a second after the original, up to the end of the window (a second past
  // it for the last ones).
  const repeats = deliveries.filter(() => next() < plan.duplicates);
  if (repeats.length === 0 && plan.duplicates > 0) repeats.push(deliveries[0]!);
  const window = plan.seconds * 1000;
  const again = repeats.map(({ body, at }) => ({ body, at: at + 1000 + next() * Math.max(0, window - at - 1000) }));
  return [...deliveries, ...again].sort((a, b) => a.at - b.at);
}

/**
 * A meeting filling up as Graph reports it by default: one notification per person joining, each
 * the whole roster at that moment (the bot and everyone in so far), with each participant's
 * `rosterSequenceNumber` (v1.0 participant), a share delivered again at least a second later.
 */
export function wholeRosterBurst(
  callId: string,
  botAppId: string,
  plan: BurstPlan,
): Array<{ body: unknown; at: number }> {
  const next = seededRandom(plan.seed);
  const window = plan.seconds * 1000;
  // Each participant carries the number of the roster update in which it last changed: its arrival.
  const roster = [participantOf('application', botAppId, { id: `${callId}-bot`, rosterSequenceNumber: 1 })];
  const deliveries = Array.from({ length: plan.participants }, (_, i) => {
    roster.push(participantOf('user', `${callId}-person-${i}`, { rosterSequenceNumber: i + 2 }));
    return {
      body: rosterNotification(callId, [...roster], 'updated'),
      at: ((i + next()) / plan.participants) * window,
    };
  });
  const repeats = deliveries.filter(() => next() < plan.duplicates);
  const again = repeats.map(({ body, at }) => ({ body, at: at + 1000 + next() * Math.max(0, window - at - 1000) }));
  return [...deliveries, ...again].sort((a, b) => a.at - b.at);
}

/** Delivers a burst on its schedule, round-robin over the instances; each callback's status and latency. */
export async function deliverBurst(
  instanceUrls: string[],
  token: string,
  deliveries: Array<{ body: unknown; at: number }>,
): Promise<Array<{ status: number; ms: number }>> {
  const start = performance.now();
  return Promise.all(
    deliveries.map(async ({ body, at }, i) => {
      await new Promise((resolve) => setTimeout(resolve, at - (performance.now() - start)));
      const sent = performance.now();
      const res = await fetch(`${instanceUrls[i % instanceUrls.length]}/api/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - sent };
    }),
  );
}

/** The `p`th percentile (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
