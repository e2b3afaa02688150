import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';

/** Entity writes in requests to Table Storage, by what the rows are (src/storage/rosterEntities.ts). */
export interface WriteCounts {
  total: number;
  /** A call's roster head (row `roster`). */
  heads: number;
  /** Events (rows `e:...`). */
  events: number;
  /** Participants (rows `p:...`). */
  participants: number;
  /** A call's tenant (row `tenant`), recorded once when callbacks of several tenants are accepted. */
  tenants: number;
}

export const noWrites = (): WriteCounts => ({ total: 0, heads: 0, events: 0, participants: 0, tenants: 0 });

export function addWrites(into: WriteCounts, more: WriteCounts): void {
  into.total += more.total;
  into.heads += more.heads;
  into.events += more.events;
  into.participants += more.participants;
  into.tenants += more.tenants;
}

/** Entity writes in one request to Table Storage: each action of a transaction, or the request itself. */
export function writesOf(method: string, url: string, body: string): WriteCounts {
  const counts = noWrites();
  const count = (rowKey: string | undefined) => {
    counts.total++;
    if (rowKey === 'roster') counts.heads++;
    else if (rowKey?.startsWith('e:')) counts.events++;
    else if (rowKey?.startsWith('p:')) counts.participants++;
    else if (rowKey === 'tenant') counts.tenants++;
  };
  const rowKeyIn = (text: string) => {
    const found = /RowKey='((?:[^']|'')*)'/.exec(decodeURIComponent(text.replace(/\+/g, ' ')));
    return found?.[1]?.replace(/''/g, "'");
  };
  if (url.includes('$batch')) {
    for (const line of body.match(/^(PUT|PATCH|MERGE|POST|DELETE) https?:\/\/\S+/gm) ?? []) {
      // A create (POST) names its keys in the entity's JSON, which follows the request line.
      const rest = body.slice(body.indexOf(line) + line.length);
      count(rowKeyIn(line) ?? /"RowKey":"((?:[^"\\]|\\.)*)"/.exec(rest)?.[1]);
    }
    return counts;
  }
  const isTableRequest = /\/Tables(\(|$|\?)/.test(new URL(url, 'http://x').pathname);
  if (method !== 'GET' && !isTableRequest) count(rowKeyIn(url) ?? /"RowKey":"((?:[^"\\]|\\.)*)"/.exec(body)?.[1]);
  return counts;
}

/** Entity writes in one request, all kinds together. */
export const entityWritesOf = (method: string, url: string, body: string) => writesOf(method, url, body).total;

/** Whether storage carried a request out: a 2xx, and for a transaction no failed action inside it. */
export const committed = (status: number, responseBody: string) =>
  status >= 200 && status < 300 && !/^HTTP\/1\.1 [45]\d\d/m.test(responseBody);

/** Counts what a Table client sends: HTTP calls, and entity writes (inside transactions too). */
export class StorageCounter {
  calls = 0;
  entityWrites = 0;

  readonly policy: PipelinePolicy = {
    name: 'benchStorageCounter',
    sendRequest: (request, next) => {
      this.calls++;
      const body = typeof request.body === 'string' ? request.body : '';
      this.entityWrites += entityWritesOf(request.method, request.url, body);
      return next(request);
    },
  };

  attach(...clients: TableClient[]) {
    for (const client of clients) client.pipeline.addPolicy(this.policy);
  }

  reset() {
    this.calls = 0;
    this.entityWrites = 0;
  }
}
