import type { TestProject } from 'vitest/node';

import { DEV_APP_ID, DEV_TENANT_ID, startStack } from '../../dev/stack';

export interface StackInfo {
  hostUrl: string;
  functionKey: string;
  simulatorUrl: string;
  tablesConnectionString: string;
  hostEnv: Record<string, string>;
  appId: string;
  tenantId: string;
  otherAllowedTenantId: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

const OTHER_ALLOWED_TENANT = '0b5b5a8e-0d4f-4a8e-9d7e-3c6e4c1f2a10';

/** One Azurite, Graph simulator and local host for the whole run, as a user runs them. */
export default async function setup(project: TestProject) {
  const stack = await startStack({
    env: {
      GRAPH_TIMEOUT_SECONDS: '2',
      CALLBACK_KEY_REFRESH_SECONDS: '1',
      CALLBACK_ALLOWED_TENANTS: `${DEV_TENANT_ID},${OTHER_ALLOWED_TENANT}`,
    },
  });
  project.provide('stack', {
    hostUrl: stack.hostUrl,
    functionKey: stack.functionKey,
    simulatorUrl: stack.simulator.url,
    tablesConnectionString: stack.azurite.connectionString,
    hostEnv: stack.hostEnv,
    appId: DEV_APP_ID,
    tenantId: DEV_TENANT_ID,
    otherAllowedTenantId: OTHER_ALLOWED_TENANT,
  });
  return async () => {
    await stack.stop();
  };
}
