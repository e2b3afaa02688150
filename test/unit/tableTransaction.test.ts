import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { AzureNamedKeyCredential, TableClient, type TransactionAction } from '@azure/data-tables';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isConflict, isPreconditionFailed, storageRefusedInput } from '../../src/storage/storageErrors';
import { batchBody, readTransactionResponse, submitTransaction } from '../../src/storage/tableTransaction';

const ACCOUNT = 'https://account.table.core.windows.net';
const credential = new AzureNamedKeyCredential('account', Buffer.from('key').toString('base64'));

/** A TableClient whose HTTP client keeps what it would send and answers with `answer`. */
function capturingClient(url = ACCOUNT, answer: (request: PipelineRequest) => Partial<PipelineResponse> = okAnswer) {
  const sent: PipelineRequest[] = [];
  const httpClient: HttpClient = {
    sendRequest: async (request) => {
      sent.push(request);
      return {
        request,
        status: 202,
        headers: createHttpHeaders({ 'content-type': 'multipart/mixed; boundary=batchresponse_x' }),
        ...answer(request),
      };
    },
  };
  return { client: new TableClient(url, 'roster', credential, { httpClient }), httpClient, sent };
}

function okAnswer(request: PipelineRequest): Partial<PipelineResponse> {
  const parts = String(request.body).split(/--changeset_[0-9a-f-]+\r\ncontent-type/).length - 1;
  const sub = (i: number) =>
    `--changesetresponse_x\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\nETag: W/"datetime'${i}'"\r\n\r\n`;
  return {
    bodyAsText: `--batchresponse_x\r\n${Array.from({ length: parts }, (_, i) => sub(i)).join('')}--changesetresponse_x--\r\n--batchresponse_x--\r\n`,
  };
}

/** The boundaries the SDK chose for a body, so that one written here can be compared with it. */
const boundaryIds = (body: string) => ({
  batch: /^--batch_([0-9a-f-]+)/.exec(body)![1]!,
  changeset: /boundary=changeset_([0-9a-f-]+)/.exec(body)![1]!,
});

// Keys as Table Storage takes them: no slash, backslash, # or ?, and no control characters.
const key = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .filter((k) => ![...k].some((c) => '/\\#?'.includes(c) || c.charCodeAt(0) < 0x20));
const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
);
const properties = fc.dictionary(
  fc
    .string({ minLength: 1, maxLength: 10 })
    .filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n) && !/^(etag|timestamp)$/.test(n)),
  value,
  { maxKeys: 6 },
);
const action = (partitionKey: string) =>
  fc
    .tuple(
      key,
      properties,
      fc.constantFrom('create', 'upsert', 'update', 'delete'),
      fc.constantFrom('Replace', 'Merge'),
      fc.option(fc.constant('W/"datetime\'2026-12-05T05%3A34%3A55.91Z\'"')),
    )
    .map(([rowKey, props, kind, mode, etag]): TransactionAction => {
      const entity = { ...props, partitionKey, rowKey };
      if (kind === 'create') return ['create', entity];
      if (kind === 'delete') return ['delete', entity];
      if (kind === 'upsert') return ['upsert', entity, mode];
      return ['update', entity, mode, etag ? { etag } : undefined];
    });

describe('a transaction written without the SDK', () => {
  it("sends the body the SDK's submitTransaction sends, byte for byte, for any keys and values this service stores", async () => {
    await fc.assert(
      fc.asyncProperty(
        key.chain((partitionKey) =>
          fc.uniqueArray(action(partitionKey), { minLength: 1, maxLength: 5, selector: (a) => a[1].rowKey }),
        ),
        async (actions) => {
          const sdk = capturingClient();
          await sdk.client.submitTransaction(actions);
          const sent = String(sdk.sent[0]!.body);
          expect(batchBody(sdk.client, actions, boundaryIds(sent))?.text).toBe(sent);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('sends it to the same address with the same headers, signed by the same pipeline', async () => {
    const actions: TransactionAction[] = [
      ['upsert', { partitionKey: 'p', rowKey: 'a', n: 1 }, 'Replace'],
      ['create', { partitionKey: 'p', rowKey: 'b', s: 'x' }],
    ];
    const sdk = capturingClient();
    await sdk.client.submitTransaction(actions);
    const own = capturingClient();
    const answer = await submitTransaction(own.client, actions, own.httpClient);
    const headers = (r: PipelineRequest) => {
      const {
        'x-ms-client-request-id': _,
        'x-ms-date': _d,
        authorization,
        'content-type': type,
        'content-length': _l,
        ...rest
      } = r.headers.toJSON();
      return {
        ...rest,
        authorization: authorization?.split(':')[0],
        type: type?.replace(/batch_[0-9a-f-]+/, 'batch_'),
      };
    };
    expect(own.sent[0]!.url).toBe(sdk.sent[0]!.url);
    expect(headers(own.sent[0]!)).toEqual(headers(sdk.sent[0]!));
    expect(answer.subResponses.map((r) => r.etag)).toEqual([`W/"datetime'0'"`, `W/"datetime'1'"`]);
  });

  it('leaves to the SDK what it does not write the same way: a Date, a SAS in the address', async () => {
    const unused: HttpClient = {
      sendRequest: () => Promise.reject(new Error('sent without the SDK')),
    };
    const dated: TransactionAction[] = [['upsert', { partitionKey: 'p', rowKey: 'a', at: new Date(0) }, 'Replace']];
    const plain = capturingClient();
    expect(batchBody(plain.client, dated)).toBeUndefined();
    await submitTransaction(plain.client, dated, unused);
    expect(String(plain.sent[0]!.body)).toContain('"at@odata.type":"Edm.DateTime"');
    for (const url of [
      `${ACCOUNT}?sv=2024-01-01&sig=x`,
      'https://a.table.cosmos.azure.com',
      'https://localhost:8081',
    ]) {
      const other = capturingClient(url);
      await submitTransaction(other.client, [['create', { partitionKey: 'p', rowKey: 'a' }]], unused);
      expect(other.sent).toHaveLength(1);
    }
  });

  it('addresses the same entities when the endpoint ends in a slash', async () => {
    const actions: TransactionAction[] = [['upsert', { partitionKey: 'p', rowKey: 'a' }, 'Replace']];
    const sdk = capturingClient(`${ACCOUNT}/`);
    await sdk.client.submitTransaction(actions);
    const own = capturingClient(`${ACCOUNT}/`);
    await submitTransaction(own.client, actions, own.httpClient);
    expect(own.sent[0]!.url).toBe(sdk.sent[0]!.url);
    const sent = String(sdk.sent[0]!.body);
    expect(batchBody(own.client, actions, boundaryIds(sent))?.text).toBe(sent);
  });
});

describe("reading a transaction's answer", () => {
  const failed = (status: number, code: string) =>
    readTransactionResponse({
      request: {} as PipelineRequest,
      headers: createHttpHeaders(),
      status: 202,
      bodyAsText:
        `--batchresponse_x\r\n--changesetresponse_x\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 ${status} Failed\r\nContent-ID: 1\r\n\r\n` +
        `{"odata.error":{"code":"${code}","message":{"lang":"en-US","value":"0:refused"}}}\r\n--changesetresponse_x--\r\n--batchresponse_x--`,
    });

  it('throws what the SDK throws for a refused action, so storageErrors tells them apart the same way', () => {
    expect(() => failed(412, 'UpdateConditionNotSatisfied')).toThrow(
      expect.objectContaining({ name: 'RestError', statusCode: 412 }),
    );
    const caught = (status: number, code: string) => {
      try {
        failed(status, code);
      } catch (err) {
        return err;
      }
    };
    expect(isPreconditionFailed(caught(412, 'UpdateConditionNotSatisfied'))).toBe(true);
    expect(isConflict(caught(409, 'EntityAlreadyExists'))).toBe(true);
    expect(storageRefusedInput(caught(400, 'PropertyValueTooLarge'))).toBe('tooLarge');
  });

  it('throws the answer of a request refused whole with its status', () => {
    expect(() =>
      readTransactionResponse({
        request: {} as PipelineRequest,
        headers: createHttpHeaders(),
        status: 403,
        bodyAsText: '{"odata.error":{"code":"AuthenticationFailed","message":{"value":"no"}}}',
      }),
    ).toThrow(expect.objectContaining({ name: 'RestError', statusCode: 403, code: 'AuthenticationFailed' }));
  });
});
