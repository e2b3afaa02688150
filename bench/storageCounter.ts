import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';

/** Counts what a Table client sends: HTTP calls, and entity writes (inside transactions too). */
export class StorageCounter {
  calls = 0;
  entityWrites = 0;

  readonly policy: PipelinePolicy = {
    name: 'benchStorageCounter',
    sendRequest: (request, next) => {
      this.calls++;
      const body = typeof request.body === 'string' ? request.body : '';
      if (request.url.includes('$batch')) {
        this.entityWrites += (body.match(/^(PUT|PATCH|MERGE|POST|DELETE) https?:\/\//gm) ?? []).length;
      } else if (request.method !== 'GET' && !/\/Tables(\(|$|\?)/.test(new URL(request.url).pathname)) {
        this.entityWrites++;
      }
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
