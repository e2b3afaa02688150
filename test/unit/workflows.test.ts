import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

// The Logic Apps samples checked against the Workflow Definition Language's structure (the
// 2016-06-01 workflowdefinition.json schema and its reference page): what each action may hold,
// runAfter naming sibling actions with the four statuses, and every expression parsing to known
// functions and existing actions. The rules are written out here; nothing is fetched.

const samples = readdirSync(path.join(__dirname, '../../examples/logic-apps'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== 'connector')
  .map((e) => e.name);
const load = (name: string) =>
  JSON.parse(readFileSync(path.join(__dirname, '../../examples/logic-apps', name, 'workflow.json'), 'utf8'));

type Json = Record<string, any>;
const ACTION_KEYS = [
  'type',
  'kind',
  'inputs',
  'runAfter',
  'operationOptions',
  'limit',
  'runtimeConfiguration',
  'expression',
  'actions',
  'else',
  'cases',
  'default',
  'foreach',
  'description',
  'retryPolicy',
  'trackedProperties',
];
const ACTION_TYPES = [
  'Http',
  'HttpWebhook',
  'Response',
  'Compose',
  'Query',
  'If',
  'Switch',
  'Foreach',
  'Until',
  'Scope',
  'Wait',
  'InitializeVariable',
  'SetVariable',
  'AppendToArrayVariable',
  'ParseJson',
  'Terminate',
];
// Documented operationOptions values; an empty string has no meaning.
const OPERATION_OPTIONS = [
  'Asynchronous',
  'DisableAsyncPattern',
  'DisableAutomaticDecompression',
  'IncludeAuthorizationHeadersInOutputs',
  'Sequential',
  'SingleInstance',
  'SuppressWorkflowHeaders',
  'SuppressWorkflowHeadersOnResponse',
  'FailWhenLimitsReached',
];
const RUN_AFTER_STATUSES = ['Succeeded', 'Failed', 'Skipped', 'TimedOut'];
const RUNTIME_CONFIGURATION_KEYS = ['secureData', 'concurrency', 'contentTransfer', 'paginationPolicy', 'staticResult'];
// The workflow functions the samples may call (Workflow Definition Language function reference).
const FUNCTIONS = new Set([
  'appsetting',
  'triggerBody',
  'triggerOutputs',
  'body',
  'outputs',
  'actions',
  'workflow',
  'items',
  'item',
  'variables',
  'parameters',
  'listCallbackUrl',
  'concat',
  'first',
  'last',
  'string',
  'int',
  'json',
  'equals',
  'and',
  'or',
  'not',
  'greater',
  'less',
  'length',
  'empty',
  'coalesce',
  'if',
  'contains',
  'join',
  'createArray',
  'utcNow',
  'addSeconds',
  'formatDateTime',
  'toLower',
  'toUpper',
  'replace',
  'split',
  'trim',
  'result',
  'iterationIndexes',
]);
// Functions whose first argument names an action (or, for items, a loop) of the workflow.
const NAMES_AN_ACTION = new Set(['body', 'outputs', 'actions', 'items', 'result']);

/** Every action of a scope and the scopes nested in it, with the scope's own action names. */
function* actionsOf(
  scope: Json | undefined,
  at = '',
): Generator<{ name: string; action: Json; siblings: string[]; at: string }> {
  if (!scope) return;
  const siblings = Object.keys(scope);
  for (const [name, action] of Object.entries(scope)) {
    yield { name, action, siblings, at: `${at}${name}` };
    for (const nested of [action.actions, action.else?.actions, action.default?.actions])
      yield* actionsOf(nested, `${at}${name}/`);
    for (const c of Object.values((action.cases as Json) ?? {})) yield* actionsOf((c as Json).actions, `${at}${name}/`);
  }
}

/** The problems of one expression (`@...` or each `@{...}` in a string), by a small tokenizer. */
function expressionProblems(text: string, actionNames: Set<string>): string[] {
  const expressions =
    text.startsWith('@{') || !text.startsWith('@')
      ? [...text.matchAll(/@\{((?:[^{}']|'(?:[^']|'')*')*)\}/g)].map((m) => m[1]!)
      : [text.slice(1)];
  const problems: string[] = [];
  const opened = text.startsWith('@') && !text.startsWith('@{') ? 1 : text.split('@{').length - 1;
  if (expressions.length !== opened) problems.push(`an @{ without its } in ${text}`);
  for (const expression of expressions) {
    let depth = 0;
    const tokens = expression.matchAll(/'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_]*\s*\(|[()[\],?.]|\s+|[^'()[\],?.\s]+/g);
    let consumed = 0;
    for (const [token] of tokens) {
      consumed += token.length;
      if (token.endsWith('(')) {
        const fn = token.slice(0, -1).trim();
        if (!FUNCTIONS.has(fn)) problems.push(`unknown function ${fn} in ${expression}`);
        depth++;
        if (NAMES_AN_ACTION.has(fn)) {
          const argument = expression.slice(consumed).match(/^'((?:[^']|'')*)'/);
          if (argument && !actionNames.has(argument[1]!)) problems.push(`${fn}('${argument[1]}') names no action`);
        }
      } else if (token === '(' || token === '[') depth++;
      else if (token === ')' || token === ']') depth--;
      if (depth < 0) problems.push(`unbalanced ) in ${expression}`);
    }
    if (consumed !== expression.length) problems.push(`unterminated string in ${expression}`);
    if (depth !== 0) problems.push(`unbalanced brackets in ${expression}`);
  }
  return problems;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

function workflowProblems(workflow: Json): string[] {
  const problems: string[] = [];
  const definition = workflow.definition as Json;
  if (!String(definition.$schema).endsWith('/2016-06-01/workflowdefinition.json#'))
    problems.push('definition.$schema is not the 2016-06-01 workflow definition');
  if (!['Stateful', 'Stateless'].includes(workflow.kind)) problems.push('kind is neither Stateful nor Stateless');
  if (Object.keys(definition.triggers ?? {}).length !== 1) problems.push('a workflow has exactly one trigger');
  const all = [...actionsOf(definition.actions)];
  const names = new Set(all.map((a) => a.name));
  for (const { action, siblings, at } of all) {
    for (const key of Object.keys(action))
      if (!ACTION_KEYS.includes(key)) problems.push(`${at}: ${key} is not an action property`);
    if (!ACTION_TYPES.includes(action.type)) problems.push(`${at}: unknown type ${action.type}`);
    if ('operationOptions' in action && !OPERATION_OPTIONS.includes(action.operationOptions))
      problems.push(`${at}: operationOptions ${JSON.stringify(action.operationOptions)} has no documented meaning`);
    for (const key of Object.keys(action.runtimeConfiguration ?? {}))
      if (!RUNTIME_CONFIGURATION_KEYS.includes(key)) problems.push(`${at}: runtimeConfiguration.${key} is unknown`);
    if (
      action.runtimeConfiguration &&
      'staticResult' in action.runtimeConfiguration &&
      !action.runtimeConfiguration.staticResult
    )
      problems.push(`${at}: runtimeConfiguration.staticResult is empty`);
    for (const [after, statuses] of Object.entries((action.runAfter as Json) ?? {})) {
      if (!siblings.includes(after) || after === at.split('/').pop())
        problems.push(`${at}: runs after ${after}, not a sibling`);
      for (const s of statuses as string[])
        if (!RUN_AFTER_STATUSES.includes(s)) problems.push(`${at}: runAfter status ${s}`);
    }
    for (const text of strings([action.inputs, action.expression, action.foreach]))
      if (text.includes('@') && !text.startsWith('@@'))
        problems.push(...expressionProblems(text, names).map((p) => `${at}: ${p}`));
  }
  return problems;
}

describe.each(samples)('the Logic Apps sample %s', (sample) => {
  const workflow = load(sample);
  const actions = [...actionsOf(workflow.definition.actions)];

  it('keeps to the workflow definition language: action shapes, runAfter, expressions', () => {
    expect(workflowProblems(workflow)).toEqual([]);
  });

  it('keeps the function key out of run history, and in a header wherever the action does not follow Location', () => {
    for (const { action, at } of actions) {
      const text = JSON.stringify(action.inputs ?? {});
      if (!text.includes('INVITES_FUNCTION_KEY')) continue;
      const secured = action.runtimeConfiguration?.secureData?.properties ?? [];
      expect(secured, at).toContain('inputs');
      // The asynchronous pattern's polls follow Location, which carries the key only when it came as `code`
      // (a POST that starts something, or a GET that waits for it: GET /api/calls/{id} answers 202 while establishing).
      const followsLocation =
        action.type === 'Http' &&
        ['POST', 'GET'].includes(action.inputs.method) &&
        action.operationOptions !== 'DisableAsyncPattern';
      if (followsLocation) expect(secured, `${at}: its outputs hold the Location with the key`).toContain('outputs');
      else expect(text, `${at}: the key goes in x-functions-key`).not.toMatch(/[?&]code=/);
    }
  });

  it('answers its own caller at once when it waits for Graph (the asynchronous response), never minutes later', () => {
    const waits = actions.some(
      ({ action }) => action.type === 'HttpWebhook' || (action.type === 'Http' && action.inputs.method === 'POST'),
    );
    for (const { action, at } of actions.filter((a) => a.action.type === 'Response'))
      if (waits) expect(action.operationOptions, at).toBe('Asynchronous');
  });
});

describe('the workflow checker', () => {
  it('finds what the language refuses (it is not blind)', () => {
    const broken = load('invite-and-wait');
    const invite = broken.definition.actions.Invite_and_wait;
    invite.operationOptions = '';
    invite.runtimeConfiguration.staticResult = null;
    invite.runAfter = { Nowhere: ['Succeeded'] };
    invite.inputs.body.clientContext = "@{workflow()?['run']?['name']";
    broken.definition.actions.Respond.inputs.body = "@bodyy('Invite_and_wait')";
    expect(workflowProblems(broken)).toEqual([
      'Invite_and_wait: operationOptions "" has no documented meaning',
      'Invite_and_wait: runtimeConfiguration.staticResult is empty',
      'Invite_and_wait: runs after Nowhere, not a sibling',
      expect.stringMatching(/^Invite_and_wait: /),
      "Respond: unknown function bodyy in bodyy('Invite_and_wait')",
    ]);
  });
});
