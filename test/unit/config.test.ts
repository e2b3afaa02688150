import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../src/config';

const production = {
  WEBSITE_HOSTNAME: 'calls.azurewebsites.net',
  GRAPH_TENANT_ID: 't',
  GRAPH_CLIENT_ID: 'app-id',
  GRAPH_CLIENT_SECRET: 's',
};
const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
};

describe('settings', () => {
  it('defaults to Azurite, Graph v1.0, the Skype OpenID metadata and the app id as audience', () => {
    const config = loadConfig(production);
    expect(config.tables.connectionString).toBe('UseDevelopmentStorage=true');
    expect(config.graph.baseUrl).toBe('https://graph.microsoft.com/v1.0');
    expect(config.callback.openIdConfigurationUrl).toBe('https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration');
    expect(config.callback.audience).toBe('app-id');
    expect(config.callback.issuers).toEqual(['https://api.botframework.com', 'https://graph.microsoft.com']);
    expect(config.limits).toEqual({
      inviteBodyBytes: 1048576,
      notificationsBodyBytes: 8388608,
      notificationsPerBatch: 1000,
    });
  });

  it("accepts callbacks from the app's own tenant by default, any tenant only when told so with *", () => {
    expect(loadConfig(production).callback.allowedTenants).toEqual(['t']);
    expect(loadConfig({ ...production, CALLBACK_ALLOWED_TENANTS: 'a, b' }).callback.allowedTenants).toEqual(['a', 'b']);
    expect(loadConfig({ ...production, CALLBACK_ALLOWED_TENANTS: '*' }).callback.allowedTenants).toEqual('any');
    expect(loadConfig({ ALLOW_LOOPBACK_URLS: 'true', CALLBACK_AUDIENCE: 'x' }).callback.allowedTenants).toEqual('any');
    expect(problemsOf({ ...production, CALLBACK_ALLOWED_TENANTS: '*,a' })).toEqual([
      'CALLBACK_ALLOWED_TENANTS * accepts any tenant and cannot be listed with others',
    ]);
  });

  it("takes Graph's callbackUri and the public base from App Service's host name, never from a request", () => {
    expect(loadConfig(production)).toMatchObject({
      callbackUri: 'https://calls.azurewebsites.net/api/notifications',
      publicBaseUrl: 'https://calls.azurewebsites.net',
    });
    const behindGateway = {
      ...production,
      CALLBACK_URI: 'https://api.contoso.example/bot/api/notifications',
      PUBLIC_BASE_URL: 'https://api.contoso.example/bot/',
    };
    expect(loadConfig(behindGateway)).toMatchObject({
      callbackUri: 'https://api.contoso.example/bot/api/notifications',
      publicBaseUrl: 'https://api.contoso.example/bot',
    });
  });

  it('refuses to start outside Azure without CALLBACK_URI and PUBLIC_BASE_URL, naming both', () => {
    const { WEBSITE_HOSTNAME: _, ...elsewhere } = production;
    expect(problemsOf(elsewhere)).toEqual([
      expect.stringMatching(/^CALLBACK_URI is required outside Azure/),
      expect.stringMatching(/^PUBLIC_BASE_URL is required outside Azure/),
    ]);
    // Core Tools names localhost: not an address Graph or a caller can use without ALLOW_LOOPBACK_URLS.
    expect(problemsOf({ ...production, WEBSITE_HOSTNAME: 'localhost:7071' })).toHaveLength(2);
    expect(
      problemsOf({ ...production, WEBSITE_HOSTNAME: 'localhost:7071', PUBLIC_BASE_URL: 'http://x.example' }),
    ).toEqual(['PUBLIC_BASE_URL must be an https URL', expect.stringMatching(/^CALLBACK_URI is required/)]);
  });

  it("uses the local host's own address for local development (ALLOW_LOOPBACK_URLS), requests' only for links", () => {
    const local = { ALLOW_LOOPBACK_URLS: 'true', CALLBACK_AUDIENCE: 'x' };
    expect(loadConfig({ ...local, WEBSITE_HOSTNAME: 'localhost:7071' })).toMatchObject({
      callbackUri: 'http://localhost:7071/api/notifications',
      publicBaseUrl: undefined,
    });
    expect(loadConfig(local).callbackUri).toBe('http://127.0.0.1:7071/api/notifications');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...production, TABLES_ENDPOINT: '', CALLBACK_AUDIENCE: '' }).callback.audience).toBe('app-id');
  });

  it('refuses both storage settings at once, naming both', () => {
    const problems = problemsOf({
      ...production,
      TABLES_CONNECTION_STRING: 'x',
      TABLES_ENDPOINT: 'https://a.table.core.windows.net',
    });
    expect(problems.join()).toMatch(/TABLES_CONNECTION_STRING.*TABLES_ENDPOINT/);
  });

  it('names each missing Graph credential when loopback URLs are not allowed', () => {
    const problems = problemsOf({});
    expect(problems.join('\n')).toMatch(/GRAPH_TENANT_ID/);
    expect(problems.join('\n')).toMatch(/GRAPH_CLIENT_ID/);
    expect(problems.join('\n')).toMatch(/GRAPH_CLIENT_SECRET/);
  });

  it('refuses http URLs unless loopback URLs are allowed, and then only on loopback', () => {
    expect(problemsOf({ ...production, GRAPH_BASE_URL: 'http://127.0.0.1:9/v1.0' }).join()).toMatch(/GRAPH_BASE_URL/);
    expect(
      problemsOf({ GRAPH_CLIENT_ID: 'a', ALLOW_LOOPBACK_URLS: 'true', GRAPH_BASE_URL: 'http://127.0.0.1:9/v1.0' }),
    ).toEqual([]);
    expect(
      problemsOf({ GRAPH_CLIENT_ID: 'a', ALLOW_LOOPBACK_URLS: 'true', GRAPH_BASE_URL: 'http://10.0.0.1/v1.0' }).join(),
    ).toMatch(/GRAPH_BASE_URL/);
  });

  it('lists settings holding a Key Vault reference App Service did not resolve, by name, and starts anyway', () => {
    const reference = '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/graph-secret/)';
    const config = loadConfig({ ...production, GRAPH_CLIENT_SECRET: reference, CALLBACK_AUDIENCE: ` ${reference}` });
    expect(config.unresolved).toEqual(['GRAPH_CLIENT_SECRET', 'CALLBACK_AUDIENCE']);
    expect(loadConfig(production).unresolved).toEqual([]);
    // One that cannot even be read as its kind says why, without its value.
    expect(problemsOf({ ...production, GRAPH_TIMEOUT_SECONDS: reference })).toEqual([
      'GRAPH_TIMEOUT_SECONDS holds a Key Vault reference that did not resolve',
    ]);
  });
});
