import type { HttpHandler, HttpMethod, StorageQueueHandler, TimerHandler } from '@azure/functions';

/** What a row of the route table (src/routes.ts) holds, by trigger. */
export interface Row<H> {
  name: string;
  load: () => Promise<{ handler: H }>;
}
export interface HttpRoute extends Row<HttpHandler> {
  trigger: 'http';
  /** Below the host's prefix (`api`, host.json). */
  route: string;
  methods: readonly HttpMethod[];
  /** `function`: the host wants a function key; `anonymous`: anyone (the callback checks Graph's token itself). */
  authLevel: 'anonymous' | 'function';
}
export interface QueueRoute extends Row<StorageQueueHandler> {
  trigger: 'queue';
  queueName: string;
  /** The app setting naming the queue's storage (a connection string, or `<name>__queueServiceUri`). */
  connection: string;
}
export interface TimerRoute extends Row<TimerHandler> {
  trigger: 'timer';
  /** NCRONTAB with seconds; `%SETTING%` is read from the app settings by the host. */
  schedule: string;
}
export type RouteRow = HttpRoute | QueueRoute | TimerRoute;
