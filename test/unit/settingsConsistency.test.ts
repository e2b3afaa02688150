import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { SettingsSchema } from '../../src/config';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const codeSettings = Object.keys(SettingsSchema.shape).sort();

/** The app settings infra/main.bicep gives the Function App. */
const bicepSettings = () =>
  [...read('infra/main.bicep').matchAll(/\{ name: '([A-Za-z0-9_]+)', value:/g)].map((m) => m[1]!);

// Read by the Functions host itself, not by src/config.ts.
const HOST_SETTINGS = [
  'AzureWebJobsStorage__accountName',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
];
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
      codeSettings.filter((s) => !NOT_IN_AZURE.includes(s)),
    );
    for (const s of NOT_IN_AZURE) expect(codeSettings, s).toContain(s);
  });

  it('local.settings.sample.json lists every setting', () => {
    const values = Object.keys(
      (JSON.parse(read('local.settings.sample.json')) as { Values: Record<string, string> }).Values,
    );
    for (const s of codeSettings) if (s !== 'WEBHOOK_QUEUE__queueServiceUri') expect(values, s).toContain(s);
  });

  it('the README documents every setting', () => {
    const readme = read('README.md');
    for (const s of codeSettings) expect(readme, s).toContain(`\`${s}\``);
  });

  it('the template keeps the storage keyless and the secret in Key Vault', () => {
    const bicep = read('infra/main.bicep');
    expect(bicep).toMatch(/allowSharedKeyAccess: false/);
    expect(bicep).toMatch(/name: 'GRAPH_CLIENT_SECRET', value: '@Microsoft\.KeyVault\(SecretUri=/);
    expect(bicep).not.toMatch(/AccountKey|listKeys\(/);
    expect(bicep).toMatch(/runtime: \{ name: 'node', version: '22' \}/);
  });
});
