import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { projectRoot } from '../../dev/stack';
import { stack } from './api';

export type Binding = {
  type: string;
  direction: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  [key: string]: unknown;
};
export type FunctionMetadata = { name: string; bindings: Record<string, Binding> };

/** The metadata the Azure Functions host receives from @azure/functions for this app (dev/host/printMetadata). */
export function azureHostMetadata(): FunctionMetadata[] {
  const out = execFileSync(process.execPath, [path.join(projectRoot, 'dist/dev/host/printMetadata.js')], {
    env: { ...process.env, ...stack.hostEnv },
    encoding: 'utf8',
  });
  return JSON.parse(out) as FunctionMetadata[];
}

export const httpTriggerOf = (m: FunctionMetadata) => Object.values(m.bindings).find((b) => b.type === 'httpTrigger');
