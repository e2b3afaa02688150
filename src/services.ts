import { createCallbackTokenValidator, type CallbackTokenValidator } from './auth/callbackToken';
import { getConfig, type Config } from './config';
import type { GraphGateway } from './graph/graphGateway';
import { OperationRepository } from './storage/operationRepository';
import { RosterRepository } from './storage/rosterRepository';
import { lazyTables, type TableAccess } from './storage/tableClients';

/** Everything the handlers need, created once per process on first use. */
export interface Services {
  config: Config;
  tables: TableAccess;
  operations: OperationRepository;
  roster: RosterRepository;
  graph: () => Promise<GraphGateway>;
  callbackTokens: CallbackTokenValidator;
  now: () => Date;
}

export function createServices(config: Config): Services {
  const tables = lazyTables(config.tables);
  let graph: Promise<GraphGateway> | undefined;
  return {
    config,
    tables,
    operations: new OperationRepository(tables),
    roster: new RosterRepository(tables),
    // The Graph client and @azure/identity load on the first invite, not at cold start.
    graph: () => {
      graph ??= import('./graph/graphGateway.js').then((m) => m.createGraphGateway(config.graph));
      graph.catch(() => (graph = undefined));
      return graph;
    },
    callbackTokens: createCallbackTokenValidator(config.callback, config.allowLoopbackUrls),
    now: () => new Date(),
  };
}

let services: Services | undefined;
export function getServices(): Services {
  services ??= createServices(getConfig());
  return services;
}
