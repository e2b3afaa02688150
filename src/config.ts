import { z } from 'zod';

import { SettingsUnresolved } from './errors';
import { canonicalGuid } from './ids';
import { classifyHost, settingUrlProblem } from './net/addresses';

// Without a storage setting the service uses the local emulator, as the Tables and Queue SDKs
// read this well-known value (Azurite's development account on its default ports).
const DEVELOPMENT_STORAGE = 'UseDevelopmentStorage=true';

// App settings arrive as strings; an empty value means "unset" (README, Configuration).
const optionalText = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.string().trim().optional(),
);
const splitList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const list = (fallback: string) => optionalText.transform((v) => splitList(v ?? fallback));
const bool = optionalText.transform((v, ctx) => {
  if (v === undefined) return false;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  ctx.addIssue({ code: 'custom', message: 'expected true or false' });
  return z.NEVER;
});
const positiveInt = (fallback: number) =>
  optionalText.transform((v, ctx) => {
    if (v === undefined) return fallback;
    if (/^[1-9]\d*$/.test(v)) return Number(v);
    ctx.addIssue({ code: 'custom', message: 'expected a positive whole number' });
    return z.NEVER;
  });

export const SettingsSchema = z
  .object({
    TABLES_CONNECTION_STRING: optionalText,
    TABLES_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    TABLES_OPERATIONS_TABLE: optionalText.transform((v) => v ?? 'operations'),
    TABLES_ROSTER_TABLE: optionalText.transform((v) => v ?? 'roster'),
    GRAPH_BASE_URL: optionalText.transform((v) => v ?? 'https://graph.microsoft.com/v1.0'),
    GRAPH_TENANT_ID: optionalText,
    GRAPH_CLIENT_ID: optionalText,
    GRAPH_CLIENT_SECRET: optionalText,
    GRAPH_CLIENT_CERTIFICATE_PATH: optionalText,
    GRAPH_USE_MANAGED_IDENTITY: bool,
    GRAPH_TIMEOUT_SECONDS: positiveInt(10),
    CALLBACK_OPENID_CONFIGURATION_URL: optionalText.transform(
      (v) => v ?? 'https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration',
    ),
    CALLBACK_AUDIENCE: optionalText,
    CALLBACK_ISSUERS: list('https://api.botframework.com,https://graph.microsoft.com'),
    // Unset: the app's own tenant (GRAPH_TENANT_ID) when known; `*` any tenant.
    CALLBACK_ALLOWED_TENANTS: optionalText.transform((v) => (v === undefined ? undefined : splitList(v))),
    CALLBACK_KEY_REFRESH_SECONDS: positiveInt(30),
    LOCAL_FUNCTION_KEY: optionalText,
    ALLOW_LOOPBACK_URLS: bool,
    INVITE_MAX_BODY_BYTES: positiveInt(1024 * 1024),
    NOTIFICATIONS_MAX_BODY_BYTES: positiveInt(8 * 1024 * 1024),
    NOTIFICATIONS_MAX_BATCH_ITEMS: positiveInt(1000),
    RETRY_AFTER_RUNNING_SECONDS: positiveInt(2),
    RETRY_AFTER_UNAVAILABLE_SECONDS: positiveInt(5),
    // The queue of completion webhooks: a connection string, or (managed identity) the queue service URI,
    // under the names a Functions queue trigger with `connection: 'WEBHOOK_QUEUE'` reads.
    WEBHOOK_QUEUE: optionalText,
    WEBHOOK_QUEUE__queueServiceUri: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    WEBHOOK_MAX_ATTEMPTS: positiveInt(8),
    WEBHOOK_RETRY_BASE_SECONDS: positiveInt(15),
    WEBHOOK_TIMEOUT_SECONDS: positiveInt(10),
    // NCRONTAB (with seconds) of the sweep that queues lost deliveries again; read as %WEBHOOK_SWEEP_SCHEDULE%.
    WEBHOOK_SWEEP_SCHEDULE: optionalText.transform((v) => v ?? '0 */5 * * * *'),
    // Calls the service owns (docs/api.md, "Calls the service owns"). Where Graph and callers reach
    // the app is configured, never read from a request: a forged Host would have Graph post a call's
    // notifications, with its bearer token, elsewhere (publicAddresses below).
    CALLBACK_URI: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    PUBLIC_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    // Set by App Service to the app's default name, and by Core Tools (and the local host) to localhost:port.
    WEBSITE_HOSTNAME: optionalText,
    // NCRONTAB (with seconds) of the keep-alive timer; read by the timer as %KEEPALIVE_SCHEDULE%.
    // Every 5 minutes: a keep-alive that failed is sent again 5 minutes later, well inside Graph's 45.
    KEEPALIVE_SCHEDULE: optionalText.transform((v) => v ?? '0 */5 * * * *'),
    // How old a call's last successful keep-alive may get before the timer sends another: with the
    // 5-minute timer, one every 10 minutes (call-keepalive asks for 15 to 45), a little under so
    // timer jitter does not skip a tick.
    KEEPALIVE_INTERVAL_SECONDS: positiveInt(540),
    // How long one instance holds a call's keep-alive while sending it, so instances ticking together send one.
    KEEPALIVE_MIN_INTERVAL_SECONDS: positiveInt(60),
    INCOMING_CALLS: optionalText
      .pipe(z.enum(['reject', 'ignore', 'answer']).optional())
      .transform((v) => v ?? 'reject'),
    // The Teams resource account (application instance) with a phone number: the `source` of the calls
    // the service places to people, which Graph requires for calling phone numbers (application-post-calls, PSTN).
    PSTN_APPLICATION_INSTANCE_ID: optionalText.pipe(
      z
        .string()
        .refine((v) => canonicalGuid(v) !== undefined, 'must be the object id (a GUID) of a Teams resource account')
        .transform((v) => canonicalGuid(v)!)
        .optional(),
    ),
    // Whether Graph's `updated` roster arrays list the whole roster (its default) or only who changed.
    ROSTER_UPDATES: optionalText.pipe(z.enum(['snapshot', 'changes']).optional()).transform((v) => v ?? 'snapshot'),
    RING_TIMEOUT_SECONDS: positiveInt(60),
    RETENTION_DAYS: positiveInt(30),
    // NCRONTAB (with seconds) of the purge; the timer trigger reads it as %RETENTION_SCHEDULE%.
    RETENTION_SCHEDULE: optionalText.transform((v) => v ?? '0 30 3 * * *'),
  })
  .superRefine((s, ctx) => {
    if (s.TABLES_CONNECTION_STRING && s.TABLES_ENDPOINT) {
      ctx.addIssue({
        code: 'custom',
        path: ['TABLES_CONNECTION_STRING'],
        message: 'set either TABLES_CONNECTION_STRING or TABLES_ENDPOINT, not both',
      });
    }
    const loopbackOk = s.ALLOW_LOOPBACK_URLS;
    for (const name of ['GRAPH_BASE_URL', 'CALLBACK_OPENID_CONFIGURATION_URL'] as const) {
      const problem = settingUrlProblem(s[name], loopbackOk);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
    for (const name of ['CALLBACK_URI', 'PUBLIC_BASE_URL'] as const) {
      const problem = s[name] && settingUrlProblem(s[name], loopbackOk);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
    const addresses = publicAddresses(s);
    for (const [name, message] of Object.entries(addresses.problems))
      ctx.addIssue({ code: 'custom', path: [name], message });
    const hasCredential = s.GRAPH_USE_MANAGED_IDENTITY || s.GRAPH_CLIENT_SECRET || s.GRAPH_CLIENT_CERTIFICATE_PATH;
    if (!loopbackOk) {
      for (const name of ['GRAPH_TENANT_ID', 'GRAPH_CLIENT_ID'] as const) {
        if (!s[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required' });
      }
      if (!hasCredential) {
        ctx.addIssue({
          code: 'custom',
          path: ['GRAPH_CLIENT_SECRET'],
          message: 'is required (or GRAPH_CLIENT_CERTIFICATE_PATH, or GRAPH_USE_MANAGED_IDENTITY=true)',
        });
      }
    }
    if (s.CALLBACK_ALLOWED_TENANTS?.includes('*') && s.CALLBACK_ALLOWED_TENANTS.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['CALLBACK_ALLOWED_TENANTS'],
        message: '* accepts any tenant and cannot be listed with others',
      });
    }
    // Without an audience any bot's callback token would pass: never run without one.
    if (!s.CALLBACK_AUDIENCE && !s.GRAPH_CLIENT_ID) {
      ctx.addIssue({
        code: 'custom',
        path: ['CALLBACK_AUDIENCE'],
        message: 'is required when GRAPH_CLIENT_ID is not set',
      });
    }
  });

/** The settings as the service uses them: the one source of the `Config` type. */
export const ConfigSchema = SettingsSchema.transform((s) => ({
  tables: {
    connectionString: s.TABLES_ENDPOINT ? undefined : (s.TABLES_CONNECTION_STRING ?? DEVELOPMENT_STORAGE),
    endpoint: s.TABLES_ENDPOINT,
    operationsTable: s.TABLES_OPERATIONS_TABLE,
    rosterTable: s.TABLES_ROSTER_TABLE,
  },
  graph: {
    baseUrl: s.GRAPH_BASE_URL,
    tenantId: s.GRAPH_TENANT_ID,
    clientId: s.GRAPH_CLIENT_ID,
    clientSecret: s.GRAPH_CLIENT_SECRET,
    certificatePath: s.GRAPH_CLIENT_CERTIFICATE_PATH,
    useManagedIdentity: s.GRAPH_USE_MANAGED_IDENTITY,
    deadlineMs: s.GRAPH_TIMEOUT_SECONDS * 1000,
  },
  callback: {
    openIdConfigurationUrl: s.CALLBACK_OPENID_CONFIGURATION_URL,
    // The schema refuses settings with neither, so an audience is always known.
    audience: (s.CALLBACK_AUDIENCE ?? s.GRAPH_CLIENT_ID) as string,
    issuers: s.CALLBACK_ISSUERS,
    allowedTenants: allowedTenants(s.CALLBACK_ALLOWED_TENANTS, s.GRAPH_TENANT_ID),
    keyRefreshCooldownMs: s.CALLBACK_KEY_REFRESH_SECONDS * 1000,
  },
  limits: {
    inviteBodyBytes: s.INVITE_MAX_BODY_BYTES,
    notificationsBodyBytes: s.NOTIFICATIONS_MAX_BODY_BYTES,
    notificationsPerBatch: s.NOTIFICATIONS_MAX_BATCH_ITEMS,
  },
  retryAfter: { runningSeconds: s.RETRY_AFTER_RUNNING_SECONDS, unavailableSeconds: s.RETRY_AFTER_UNAVAILABLE_SECONDS },
  webhooks: {
    queue: s.WEBHOOK_QUEUE__queueServiceUri
      ? { serviceUri: s.WEBHOOK_QUEUE__queueServiceUri }
      : { connectionString: s.WEBHOOK_QUEUE ?? DEVELOPMENT_STORAGE },
    maxAttempts: s.WEBHOOK_MAX_ATTEMPTS,
    retryBaseSeconds: s.WEBHOOK_RETRY_BASE_SECONDS,
    timeoutMs: s.WEBHOOK_TIMEOUT_SECONDS * 1000,
  },
  ringTimeoutMs: s.RING_TIMEOUT_SECONDS * 1000,
  retention: { days: s.RETENTION_DAYS },
  ...publicAddresses(s).addresses,
  keepAlive: { dueAfterMs: s.KEEPALIVE_INTERVAL_SECONDS * 1000, claimMs: s.KEEPALIVE_MIN_INTERVAL_SECONDS * 1000 },
  incomingCalls: s.INCOMING_CALLS,
  /** The resource account calls are placed from (phone numbers need one); absent: phone targets are refused. */
  pstnApplicationInstanceId: s.PSTN_APPLICATION_INSTANCE_ID,
  rosterUpdates: s.ROSTER_UPDATES,
  /** The bot's app id: its own participant in a roster (application.id) makes no events. */
  botAppId: (s.GRAPH_CLIENT_ID ?? s.CALLBACK_AUDIENCE) as string,
  allowLoopbackUrls: s.ALLOW_LOOPBACK_URLS,
}));
export type Config = z.output<typeof ConfigSchema> & {
  /** Settings still holding a Key Vault reference App Service did not resolve (names only). */
  unresolved: string[];
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid app settings: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

// App Service leaves a Key Vault reference it could not resolve (no access yet, a vault or secret
// name wrong) as the setting's literal text, which would pass for a secret or connection string.
const KEY_VAULT_REFERENCE = /^\s*@Microsoft\.KeyVault\(/i;

/** The settings the service reads that still hold a Key Vault reference, by name (never the value). */
export function unresolvedSettings(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(SettingsSchema.shape).filter((name) => KEY_VAULT_REFERENCE.test(env[name] ?? ''));
}

/**
 * Parses app settings; throws a ConfigError naming every offending setting. Settings holding an
 * unresolved Key Vault reference are listed in `unresolved`: the app starts, says so, and answers 503.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const unresolved = unresolvedSettings(env);
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = i.path.join('.') || 'settings';
        return unresolved.includes(name)
          ? `${name} holds a Key Vault reference that did not resolve`
          : `${name} ${i.message}`;
      }),
    );
  }
  return { ...parsed.data, unresolved };
}

interface AddressSettings {
  CALLBACK_URI?: string;
  PUBLIC_BASE_URL?: string;
  WEBSITE_HOSTNAME?: string;
  ALLOW_LOOPBACK_URLS: boolean;
}

/**
 * Where Graph and callers reach this app, from settings alone. `callbackUri`: Graph's callbackUri for the
 * calls the service starts or answers. `publicBaseUrl`: the base of `Location`, `@odata.nextLink` and the
 * OpenAPI host; undefined only with ALLOW_LOOPBACK_URLS, where the request's own URL serves (local use).
 */
function publicAddresses(s: AddressSettings): {
  addresses: { callbackUri: string; publicBaseUrl: string | undefined };
  problems: Partial<Record<'CALLBACK_URI' | 'PUBLIC_BASE_URL', string>>;
} {
  const site = s.WEBSITE_HOSTNAME;
  // Core Tools and the local host name a loopback host: plain http, and only for local use.
  const siteIsLocal = site !== undefined && classifyHost(site.replace(/:\d+$/, '')) === 'loopback';
  const siteBase =
    site === undefined || (siteIsLocal && !s.ALLOW_LOOPBACK_URLS)
      ? undefined
      : `${siteIsLocal ? 'http' : 'https'}://${site}`;
  const localBase = s.ALLOW_LOOPBACK_URLS ? 'http://127.0.0.1:7071' : undefined;
  const callbackBase = siteBase ?? localBase;
  const publicBaseUrl = (s.PUBLIC_BASE_URL ?? (siteIsLocal ? undefined : siteBase))?.replace(/\/+$/, '');
  const problems: Partial<Record<'CALLBACK_URI' | 'PUBLIC_BASE_URL', string>> = {};
  const unknown =
    'is required outside Azure, where WEBSITE_HOSTNAME gives the default (a loopback one, as under func start, counts only with ALLOW_LOOPBACK_URLS); it is never taken from a request';
  if (!s.CALLBACK_URI && !callbackBase) problems.CALLBACK_URI = unknown;
  if (!publicBaseUrl && !s.ALLOW_LOOPBACK_URLS) problems.PUBLIC_BASE_URL = unknown;
  return {
    addresses: { callbackUri: s.CALLBACK_URI ?? `${callbackBase}/api/notifications`, publicBaseUrl },
    problems,
  };
}

function allowedTenants(listed: string[] | undefined, ownTenant: string | undefined): string[] | 'any' {
  if (listed === undefined) return ownTenant ? [ownTenant] : 'any';
  return listed.includes('*') ? 'any' : listed;
}

let cached: Config | undefined;
/** The process-wide configuration, parsed once on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Throws SettingsUnresolved while any setting holds an unresolved Key Vault reference. */
export function requireResolvedSettings(config: Config): void {
  if (config.unresolved.length) throw new SettingsUnresolved(config.unresolved);
}
