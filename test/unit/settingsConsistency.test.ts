import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { SettingsSchema } from '../../src/config';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const codeSettings = Object.keys(SettingsSchema.shape).sort();

/** The body of infra/main.bicep's app-settings resource (`Microsoft.Web/sites/config`, `appsettings`). */
const appSettingsResource = () => {
  const bicep = read('infra/main.bicep');
  const start = bicep.indexOf("resource appSettings 'Microsoft.Web/sites/config@");
  expect(start, 'the app settings are a resource of their own').toBeGreaterThan(0);
  return bicep.slice(start, bicep.indexOf('\n}\n', start));
};
/** The app settings infra/main.bicep gives the Function App. */
const bicepSettings = () => [...appSettingsResource().matchAll(/^ {4}([A-Za-z0-9_]+): /gm)].map((m) => m[1]!);

// Read by the Functions host itself, not by src/config.ts.
const HOST_SETTINGS = [
  'AzureWebJobsStorage__accountName',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
];
// Set by the platform: App Service (and Core Tools, and the local host) name the app.
const PLATFORM_SETTINGS = ['WEBSITE_HOSTNAME'];
// Read by the code, deliberately not set in Azure: alternatives the template does not use
// (connection strings and other credentials instead of the managed identity) or local-only ones.
const NOT_IN_AZURE = [
  'TABLES_CONNECTION_STRING',
  'WEBHOOK_QUEUE',
  'GRAPH_CLIENT_CERTIFICATE_PATH',
  'GRAPH_USE_MANAGED_IDENTITY',
  'LOCAL_FUNCTION_KEY',
  'ALLOW_LOOPBACK_URLS',
];

describe('app settings: code, Bicep, samples and README agree', () => {
  it("the Bicep template sets every setting the code reads, and nothing else but the host's", () => {
    const set = bicepSettings();
    expect(new Set(set).size, 'no setting twice').toBe(set.length);
    expect(set.filter((s) => !HOST_SETTINGS.includes(s)).sort()).toEqual(
      codeSettings.filter((s) => !NOT_IN_AZURE.includes(s) && !PLATFORM_SETTINGS.includes(s)),
    );
    for (const s of NOT_IN_AZURE) expect(codeSettings, s).toContain(s);
  });

  it('local.settings.sample.json lists every setting', () => {
    const values = Object.keys(
      (JSON.parse(read('local.settings.sample.json')) as { Values: Record<string, string> }).Values,
    );
    for (const s of codeSettings)
      if (s !== 'WEBHOOK_QUEUE__queueServiceUri' && !PLATFORM_SETTINGS.includes(s)) expect(values, s).toContain(s);
  });

  it('the README documents every setting', () => {
    const readme = read('README.md');
    for (const s of codeSettings) expect(readme, s).toContain(`\`${s}\``);
  });

  it('the template keeps the storage keyless and the secret in Key Vault', () => {
    const bicep = read('infra/main.bicep');
    expect(bicep).toMatch(/allowSharedKeyAccess: false/);
    expect(appSettingsResource()).toMatch(/^ {4}GRAPH_CLIENT_SECRET: '@Microsoft\.KeyVault\(SecretUri=/m);
    expect(bicep).not.toMatch(/AccountKey|listKeys\(/);
    expect(bicep).toMatch(/runtime: \{ name: 'node', version: '22' \}/);
  });

  it('applies the settings only once the identity holds its roles, so the Key Vault reference resolves on first start', () => {
    const bicep = read('infra/main.bicep');
    expect(appSettingsResource()).toMatch(/dependsOn: \[[^\]]*\bvaultRole\b[^\]]*\]/);
    expect(appSettingsResource()).toMatch(/dependsOn: \[[^\]]*\bstorageRoles\b[^\]]*\]/);
    expect(bicep, 'no settings inside the site itself').not.toMatch(/appSettings: \[/);
  });

  it("gives Graph the app's own callback URL for the calls it starts, and the Teams calling webhook the same", () => {
    const url = "'https://${app.properties.defaultHostName}/api/notifications'";
    expect(appSettingsResource()).toContain(`CALLBACK_URI: ${url}`);
    expect(read('infra/main.bicep')).toContain(`callingWebhook: ${url}`);
  });

  it('accepts the Teams channel terms, names in its outputs what the README uses, and stops on a name storage refuses', () => {
    const bicep = read('infra/main.bicep');
    expect(bicep).toMatch(/channelName: 'MsTeamsChannel'[\s\S]*acceptedTerms: true/);
    for (const output of ['keyVaultName', 'storageAccountName', 'botName', 'functionAppName'])
      expect(bicep, output).toMatch(new RegExp(`^output ${output} string = `, 'm'));
    expect(bicep).toMatch(/var storageName = toLower\(take\('\$\{checkedName\}/);
    expect(bicep).toContain("contains('abcdefghijklmnopqrstuvwxyz0123456789', substring(toLower(name), i, 1))");
    expect(bicep).toContain("contains('abcdefghijklmnopqrstuvwxyz', substring(toLower(name), 0, 1))");
    for (const output of ['keyVaultName', 'storageAccountName', 'botName'])
      expect(read('infra/README.md'), output).toContain(`\`${output}\``);
  });
});
