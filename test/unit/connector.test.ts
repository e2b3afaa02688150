import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { connectorDefinition } from '../../dev/writeConnector';

// The rules of Power Platform's connector schemas (microsoft/PowerPlatformConnectors,
// schemas/apiDefinition.swagger.schema.json and paconn-apiProperties.schema.json, as last changed
// 2020-07-27), written out here: the files are not ours to copy into the repository. Each list
// names what the schema allows at that level; an `x-ms-` key it does not list is refused, other
// `x-` keys are allowed anywhere.
// The validation keywords a non-body parameter and a response header share.
const PRIMITIVE_KEYWORDS = [
  'type',
  'format',
  'items',
  'collectionFormat',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'enum',
  'multipleOf',
];
const ALLOWED = {
  document: [
    'swagger',
    'info',
    'host',
    'basePath',
    'schemes',
    'consumes',
    'produces',
    'paths',
    'definitions',
    'parameters',
    'responses',
    'security',
    'securityDefinitions',
    'tags',
    'externalDocs',
    'x-ms-capabilities',
    'x-ms-connector-metadata',
    'x-ms-docs',
  ],
  info: [
    'title',
    'version',
    'description',
    'termsOfService',
    'contact',
    'license',
    'x-ms-deployment-version',
    'x-ms-api-annotation',
  ],
  pathItem: [
    '$ref',
    'get',
    'put',
    'post',
    'delete',
    'options',
    'head',
    'patch',
    'parameters',
    'x-ms-notification-content',
  ],
  operation: [
    'tags',
    'summary',
    'description',
    'externalDocs',
    'operationId',
    'produces',
    'consumes',
    'parameters',
    'responses',
    'schemes',
    'deprecated',
    'security',
    'x-ms-api-annotation',
    'x-ms-capabilities',
    'x-ms-no-generic-test',
    'x-ms-operation-context',
    'x-ms-pageable',
    'x-ms-safe-operation',
    'x-ms-summary',
    'x-ms-trigger',
    'x-ms-trigger-hint',
    'x-ms-trigger-metadata',
    'x-ms-notification',
    'x-ms-visibility',
  ],
  bodyParameter: [
    'name',
    'in',
    'required',
    'schema',
    'description',
    'x-ms-dynamic-list',
    'x-ms-dynamic-values',
    'x-ms-summary',
    'x-ms-test-value',
    'x-ms-visibility',
  ],
  parameter: [
    ...['name', 'in', 'required', 'description', 'allowEmptyValue'],
    ...PRIMITIVE_KEYWORDS,
    ...['x-ms-dynamic-list', 'x-ms-dynamic-values', 'x-ms-summary', 'x-ms-test-value', 'x-ms-visibility'],
    ...['x-ms-enum-values', 'x-ms-localizeDefaultValue', 'x-ms-parameter-location', 'x-ms-trigger-value'],
    ...['x-ms-dynamic-tree', 'x-ms-url-encoding', 'x-ms-skip-url-encoding'],
  ],
  response: ['description', 'schema', 'headers', 'examples', 'x-ms-summary'],
  header: [...PRIMITIVE_KEYWORDS, 'description', 'x-ms-summary', 'x-ms-visibility'],
  schemaExtensions: [
    'x-ms-dynamic-list',
    'x-ms-dynamic-values',
    'x-ms-enum',
    'x-ms-enum-values',
    'x-ms-localizeDefaultValue',
    'x-ms-notification-url',
    'x-ms-summary',
    'x-ms-test-value',
    'x-ms-visibility',
    'x-ms-media-kind',
    'x-ms-dynamic-schema',
    'x-ms-dynamic-properties',
    'x-ms-dynamic-tree',
  ],
};
const VISIBILITY = ['important', 'advanced', 'internal'];
const HEADER_TYPES = ['string', 'number', 'integer', 'boolean', 'array'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every place the document breaks one of the rules, as `path: what`. */
function connectorProblems(doc: Json): string[] {
  const problems: string[] = [];
  const keys = (at: string, value: unknown, allowed: string[]) => {
    if (!isObject(value)) return void problems.push(`${at}: not an object`);
    for (const key of Object.keys(value)) {
      if (allowed.includes(key) || (key.startsWith('x-') && !key.startsWith('x-ms-'))) continue;
      problems.push(`${at}: ${key} is not allowed here`);
    }
    if ('x-ms-visibility' in value && !VISIBILITY.includes(value['x-ms-visibility'] as string))
      problems.push(`${at}: x-ms-visibility must be one of ${VISIBILITY.join(', ')}`);
  };
  const schema = (at: string, value: unknown): void => {
    if (!isObject(value)) return;
    for (const key of Object.keys(value))
      if (key.startsWith('x-ms-') && !ALLOWED.schemaExtensions.includes(key))
        problems.push(`${at}: ${key} is not allowed on a schema`);
    if ('x-ms-notification-url' in value && typeof value['x-ms-notification-url'] !== 'boolean')
      problems.push(`${at}: x-ms-notification-url must be a boolean`);
    for (const [key, child] of Object.entries(value)) {
      if (key === 'properties' && isObject(child))
        for (const [name, property] of Object.entries(child)) schema(`${at}.properties.${name}`, property);
      else if (key === 'items' || key === 'additionalProperties') schema(`${at}.${key}`, child);
      else if (key === 'allOf' && Array.isArray(child)) child.forEach((c, i) => schema(`${at}.allOf[${i}]`, c));
    }
  };

  keys('(document)', doc, ALLOWED.document);
  keys('info', doc.info, ALLOWED.info);
  if (typeof doc.host !== 'string' || !/^[^{}/ :\\]+(?::\d+)?$/.test(doc.host)) problems.push('host: not a host');
  for (const [name, definition] of Object.entries((doc.definitions as Json) ?? {}))
    schema(`definitions.${name}`, definition);
  for (const [name, security] of Object.entries((doc.securityDefinitions as Json) ?? {})) {
    const s = security as Json;
    if (s.type === 'apiKey' && !(typeof s.name === 'string' && ['header', 'query'].includes(s.in as string)))
      problems.push(`securityDefinitions.${name}: an apiKey needs a name and in: header or query`);
  }
  for (const [route, item] of Object.entries(doc.paths as Json)) {
    keys(route, item, ALLOWED.pathItem);
    for (const [method, operation] of Object.entries(item as Json)) {
      if (method.startsWith('x-') || method === 'parameters') continue;
      const at = `${method.toUpperCase()} ${route}`;
      keys(at, operation, ALLOWED.operation);
      const op = operation as Json;
      if (!isObject(op.responses) || Object.keys(op.responses).length === 0) problems.push(`${at}: no responses`);
      if ('x-ms-trigger' in op && !['batch', 'single'].includes(op['x-ms-trigger'] as string))
        problems.push(`${at}: x-ms-trigger must be batch or single`);
      for (const [i, parameter] of ((op.parameters as Json[]) ?? []).entries()) {
        keys(`${at} parameter ${i}`, parameter, parameter.in === 'body' ? ALLOWED.bodyParameter : ALLOWED.parameter);
        if (parameter.in === 'body') schema(`${at} body`, parameter.schema);
      }
      for (const [status, response] of Object.entries((op.responses as Json) ?? {})) {
        if (!/^(\d{3}|default)$/.test(status)) problems.push(`${at}: response ${status} is not a status`);
        keys(`${at} ${status}`, response, ALLOWED.response);
        const r = response as Json;
        if (typeof r.description !== 'string') problems.push(`${at} ${status}: no description`);
        schema(`${at} ${status}`, r.schema);
        for (const [name, header] of Object.entries((r.headers as Json) ?? {})) {
          keys(`${at} ${status} header ${name}`, header, ALLOWED.header);
          if (!HEADER_TYPES.includes((header as Json).type as string))
            problems.push(`${at} ${status} header ${name}: type must be one of ${HEADER_TYPES.join(', ')}`);
        }
      }
    }
  }
  return problems;
}

const root = path.join(__dirname, '..', '..');
const connector = () => JSON.parse(connectorDefinition()) as Json;

describe('the custom connector (examples/logic-apps/connector/)', () => {
  it("breaks none of Power Platform's connector schema rules", () => {
    expect(connectorProblems(connector())).toEqual([]);
  });

  it('finds what the schema refuses (the checker is not blind)', () => {
    const broken = connector();
    const invite = (broken.paths as Json)['/calls/{callId}/participants/invite'] as Json;
    (invite.post as Json)['x-ms-long-running-operation'] = true;
    (invite.post as Json)['x-ms-notification-content'] = { schema: {} };
    ((invite.post as Json).responses as Json)['202x'] = { description: 'x' };
    expect(connectorProblems(broken)).toEqual([
      'POST /calls/{callId}/participants/invite: x-ms-long-running-operation is not allowed here',
      'POST /calls/{callId}/participants/invite: x-ms-notification-content is not allowed here',
      'POST /calls/{callId}/participants/invite: response 202x is not a status',
    ]);
  });

  it('gives every operation a summary and a description, and offers no trigger that could invite on registration', () => {
    const paths = connector().paths as Record<string, Record<string, Json>>;
    const operations = Object.values(paths).flatMap((item) =>
      Object.entries(item).flatMap(([key, op]) => (key.startsWith('x-') ? [] : [op])),
    );
    expect(operations.length).toBeGreaterThanOrEqual(8);
    for (const op of operations) {
      expect(typeof op.summary === 'string' && op.summary.length > 0, String(op.operationId)).toBe(true);
      expect(typeof op.description === 'string' && op.description !== op.summary, String(op.operationId)).toBe(true);
    }
    // Power Platform registers a trigger on every save of a flow: only event subscriptions are triggers.
    const triggers = Object.entries(paths).flatMap(([route, item]) =>
      Object.entries(item).flatMap(([method, op]) => (op['x-ms-trigger'] ? [`${method.toUpperCase()} ${route}`] : [])),
    );
    expect(triggers.sort()).toEqual(['POST /calls/{callId}/webhooks/events', 'POST /webhooks/events']);
    expect(Object.keys(connector().paths as Json)).not.toEqual(
      expect.arrayContaining(['/notifications', '/health', '/openapi.json']),
    );
  });

  it('lets a flow page through every list action: x-ms-pageable naming @odata.nextLink, on the lists and nothing else', () => {
    const paths = connector().paths as Record<string, Record<string, Json>>;
    const pageable = Object.entries(paths).flatMap(([route, item]) =>
      Object.entries(item).flatMap(([method, op]) =>
        op['x-ms-pageable'] ? [`${method.toUpperCase()} ${route} ${JSON.stringify(op['x-ms-pageable'])}`] : [],
      ),
    );
    const next = JSON.stringify({ nextLinkName: '@odata.nextLink' });
    expect(pageable.sort()).toEqual([
      `GET /calls/{callId}/events ${next}`,
      `GET /calls/{callId}/operations ${next}`,
      `GET /calls/{callId}/participants ${next}`,
    ]);
  });

  it('describes each trigger as Power Platform registers it: a callbackUrl it fills in, 201 + Location, a DELETE of that Location, and the payload', () => {
    const doc = connector();
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const definitions = doc.definitions as Record<string, Json>;
    for (const [route, unsubscribe] of [
      ['/calls/{callId}/webhooks/events', '/calls/{callId}/webhooks/events/{subscriptionId}'],
      ['/webhooks/events', '/webhooks/events/{subscriptionId}'],
    ] as const) {
      const item = paths[route]!;
      expect(item['x-ms-notification-content']).toMatchObject({ schema: { $ref: '#/definitions/callEvent' } });
      const post = item.post!;
      expect(post['x-ms-trigger']).toBe('single');
      const body = (post.parameters as Json[]).find((p) => p.in === 'body')!;
      const schema =
        definitions[
          String((body.schema as Json).$ref)
            .split('/')
            .pop()!
        ]!;
      expect(schema.required).toContain('callbackUrl');
      expect((schema.properties as Json).callbackUrl).toMatchObject({
        'x-ms-notification-url': true,
        'x-ms-visibility': 'internal',
      });
      expect(((post.responses as Json)['201'] as Json).headers).toHaveProperty('Location');
      expect(paths[unsubscribe]!.delete).toMatchObject({ 'x-ms-visibility': 'internal' });
    }
    expect((paths['/webhooks/events']!.post as Json).summary).toBe('When a call arrives');
    expect((paths['/calls/{callId}/webhooks/events']!.post as Json).summary).toBe(
      'When someone joins or leaves a call',
    );
  });

  it("keeps apiProperties.json to the schema's shape: a brand colour, and a secure function key", () => {
    const props = JSON.parse(
      readFileSync(path.join(root, 'examples/logic-apps/connector/apiProperties.json'), 'utf8'),
    ) as { properties: Json };
    expect(Object.keys(props)).toEqual(['properties']);
    const allowed = [
      'iconBrandColor',
      'publisher',
      'stackOwner',
      'capabilities',
      'connectionParameters',
      'policyTemplateInstances',
    ];
    expect(Object.keys(props.properties).filter((k) => !allowed.includes(k))).toEqual([]);
    expect(props.properties.iconBrandColor).toMatch(/^#[0-9a-fA-F]{6}$/);
    for (const [name, parameter] of Object.entries(props.properties.connectionParameters as Record<string, Json>)) {
      expect(name).toMatch(/^[0-9a-zA-Z_]+$/);
      expect(parameter.type).toBe('securestring');
      const constraints = (parameter.uiDefinition as Json).constraints as Json;
      expect(typeof constraints.required).toBe('string'); // "true": the schema wants a string here
    }
  });
});
