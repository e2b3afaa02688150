import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';

/** Entity writes in one request to Table Storage: each action of a transaction, or the request itself. */
export function entityWritesOf(method: string, url: string, body: string): number {
  if (url.includes('$batch')) return (body.match(/^(PUT|PATCH|MERGE|POST|DELETE) https?:\/\//gm) ?? []).length;
  const isTableRequest = /\/Tables(\(|$|\?)/.test(new URL(url, 'http://x').pathname);
  return method !== 'GET' && !isTableRequest ? 1 : 0;
}

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
