import { randomUUID } from 'node:crypto';

import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline';
import type { TableClient, TableTransactionResponse, TransactionAction } from '@azure/data-tables';

// Why this exists: @azure/data-tables 13.3 builds a transaction by constructing a second
// TableClient and running every action through a full HTTP pipeline of its own (tracing span,
// serialization, a Shared Key signature per action) only to capture the request it would have
// sent. A roster change is one transaction per notification, and that assembly was about a third
// of the service's CPU per notification (`npm run bench`). Here the same batch body is written
// directly, the same way, and sent through the client's own pipeline (its authentication, retries
// and telemetry), with the answer read as the SDK reads it. test/unit/tableTransaction.test.ts
// checks the body against the SDK's, byte for byte. What this does not cover (values the SDK
// annotates other than Int64, SAS URLs, Cosmos DB tables, an action without both keys) goes to the
// SDK as before.

const CRLF = '\r\n';
const DATA_SERVICE_VERSION = 'DataServiceVersion: 3.0';
const JSON_HEADERS = ['Content-Type: application/json', DATA_SERVICE_VERSION, 'Accept: application/json'];

/** One HTTP client for the tables' pipelines and the transactions sent here: one connection pool. */
let sharedHttpClient: HttpClient | undefined;
export const tablesHttpClient = (): HttpClient => (sharedHttpClient ??= createDefaultHttpClient());

type Entity = Record<string, unknown> & { partitionKey?: string; rowKey?: string };

/** Submits the actions as one transaction, exactly as `client.submitTransaction(actions)` would. */
export async function submitTransaction(
  client: TableClient,
  actions: TransactionAction[],
  httpClient: HttpClient = tablesHttpClient(),
): Promise<TableTransactionResponse> {
  const body = writable(client) ? batchBody(client, actions) : undefined;
  if (body === undefined) return client.submitTransaction(actions);
  const request = createPipelineRequest({
    url: `${accountUrl(client)}/$batch`,
    method: 'POST',
    body: body.text,
    headers: createHttpHeaders({
      accept: 'application/json',
      'x-ms-version': '2019-02-02',
      DataServiceVersion: '3.0;',
      MaxDataServiceVersion: '3.0;NetFx',
      'Content-Type': `multipart/mixed; boundary=batch_${body.batch}`,
      'Accept-Charset': 'UTF-8',
      Connection: 'Keep-Alive',
    }),
    allowInsecureConnection: /^http:/i.test(client.url),
  });
  return readTransactionResponse(await client.pipeline.sendRequest(httpClient, request));
}

// Table Storage and Azurite (path-style: the account in the path) only: a SAS travels in the URL
// (the SDK strips it from each action's URL), and Cosmos DB tables (a `.cosmos`/`.cosmosdb` host,
// or its emulator on localhost without an account path) want other headers (isCosmosEndpoint.js).
function writable(client: TableClient): boolean {
  const url = new URL(client.url);
  if (url.search || /\.cosmos(db)?\./i.test(url.hostname)) return false;
  return /\.table\.core\./i.test(url.hostname) || url.pathname.replace(/\/+$/, '') !== '';
}

/** The account's URL without a trailing slash (an endpoint may be configured with one). */
const accountUrl = (client: TableClient) => client.url.replace(/\/+$/, '');

/** The transaction's multipart body (TablePolicies.getNextSubrequestBodyPart), or undefined to leave it to the SDK. */
export function batchBody(
  client: TableClient,
  actions: TransactionAction[],
  ids: { batch: string; changeset: string } = { batch: randomUUID(), changeset: randomUUID() },
): { text: string; batch: string } | undefined {
  const tableUrl = `${accountUrl(client)}/${client.tableName}`;
  const parts = [
    `--batch_${ids.batch}${CRLF}content-type: multipart/mixed; boundary=changeset_${ids.changeset}${CRLF}${CRLF}`,
  ];
  for (const action of actions) {
    const request = subRequest(tableUrl, action);
    if (request === undefined) return undefined;
    parts.push(
      [
        `--changeset_${ids.changeset}${CRLF}content-type: application/http${CRLF}content-transfer-encoding: binary`,
        '',
        request,
      ].join(CRLF),
    );
  }
  return {
    text: `${parts.join(CRLF)}${CRLF}--changeset_${ids.changeset}--${CRLF}--batch_${ids.batch}--${CRLF}`,
    batch: ids.batch,
  };
}

function subRequest(tableUrl: string, action: TransactionAction): string | undefined {
  const [kind, entity] = action as [string, Entity];
  // Without both keys the SDK refuses the action; let it.
  if (typeof entity.partitionKey !== 'string' || typeof entity.rowKey !== 'string') return undefined;
  const line = (method: string, url: string, headers: string[], json?: string) =>
    [`${method} ${url} HTTP/1.1`, ...headers, CRLF, ...(json === undefined ? [] : [json])].join(CRLF);
  if (kind === 'delete')
    return line('DELETE', entityUrl(tableUrl, entity), [
      'Accept: application/json;odata=minimalmetadata',
      DATA_SERVICE_VERSION,
      'If-Match: *',
    ]);
  const json = entityJson(entity);
  if (json === undefined) return undefined;
  if (kind === 'create')
    return line(
      'POST',
      tableUrl,
      [
        'Content-Type: application/json;odata=nometadata',
        'Accept: application/json;odata=minimalmetadata',
        DATA_SERVICE_VERSION,
        'Prefer: return-no-content',
      ],
      json,
    );
  const [, , mode = 'Merge', options] = action as [string, Entity, string?, { etag?: string }?];
  const method = mode === 'Replace' ? 'PUT' : 'PATCH';
  if (kind === 'upsert') return line(method, entityUrl(tableUrl, entity), JSON_HEADERS, json);
  if (kind === 'update')
    return line(method, entityUrl(tableUrl, entity), [...JSON_HEADERS, `If-Match: ${options?.etag ?? '*'}`], json);
  return undefined;
}

/** An entity's address: OData doubles a quote in a key, and the URL encodes the rest. */
function entityUrl(tableUrl: string, entity: Entity): string {
  const key = (value: unknown) => encodeURIComponent(String(value).replaceAll("'", "''"));
  return `${tableUrl}(PartitionKey='${key(entity.partitionKey)}',RowKey='${key(entity.rowKey)}')`;
}

/** The entity as the SDK serializes it (serialization.serialize), for the values this service stores. */
function entityJson(entity: Entity): string | undefined {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entity)) {
    const property = name === 'partitionKey' ? 'PartitionKey' : name === 'rowKey' ? 'RowKey' : name;
    if (name === 'etag' || name === 'timestamp') return undefined; // renamed by the SDK
    if (value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value))
      out[property] = value;
    else if (typeof value === 'bigint') {
      out[property] = value.toString();
      out[`${property}@odata.type`] = 'Edm.Int64';
    } else return undefined;
  }
  return JSON.stringify(out);
}

/** The transaction's answer as TableTransaction.parseTransactionResponse reads it, errors included. */
export function readTransactionResponse(response: PipelineResponse): TableTransactionResponse {
  const text = response.bodyAsText ?? '';
  if (response.status < 200 || response.status >= 300) throw bodyError(text, response.status, response);
  const parts = text.split('--changesetresponse_').slice(1, -1);
  const subResponses = parts.map((part) => {
    const status = Number.parseInt(/HTTP\/1.1 ([0-9]*)/.exec(part)?.[1] ?? '', 10);
    if (!Number.isInteger(status)) throw new Error(`Couldn't extract status from sub-response:\n ${part}`);
    const json = /\{(.*)\}/.exec(part);
    if (json) throw bodyError(json[0], status, response);
    const etag = /ETag: (.*)/.exec(part)?.[1];
    const rowKey = /RowKey='(.*)'/.exec(part)?.[1];
    return { status, ...(rowKey !== undefined && { rowKey }), ...(etag !== undefined && { etag }) };
  });
  return {
    status: response.status,
    subResponses,
    getResponseForEntity: (rowKey: string) => subResponses.find((r) => r.rowKey === rowKey),
  };
}

function bodyError(text: string, statusCode: number, response: PipelineResponse): RestError {
  let error: { code?: string; message?: { value?: string } } | undefined;
  try {
    error = (JSON.parse(text) as { 'odata.error'?: typeof error })['odata.error'];
  } catch {
    error = undefined;
  }
  return new RestError(error?.message?.value ?? 'Transaction Failed', {
    code: error?.code,
    statusCode,
    request: response.request,
    response,
  });
}
