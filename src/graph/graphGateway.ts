import type { TokenCredential } from '@azure/identity';
import { AuthenticationHandler, Client, GraphError, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';

import type { Config } from '../config';
import { GraphOutcomeUnknown, GraphRefused, GraphUnavailable } from '../errors';
import { DeadlineRetryHandler, GraphRequestOptions } from './deadlineRetryHandler';
import { classifyGraphStatus, retryAfterSeconds } from './graphErrors';

/** What the use cases need from Graph. */
export interface GraphGateway {
  /**
   * POST /communications/calls/{id}/participants/invite; resolves to Graph's operation JSON and
   * request-id. Nothing is sent after `sendBefore` (epoch ms).
   */
  inviteParticipants(
    callId: string,
    body: Record<string, unknown>,
    sendBefore?: number,
  ): Promise<{ operation: unknown; requestId?: string }>;
}

/** `https://graph.microsoft.com/v1.0` -> base `https://graph.microsoft.com`, version `v1.0`. */
export function splitGraphBaseUrl(baseUrl: string): { baseUrl: string; version: string } {
  const url = new URL(baseUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  const version = segments.pop() ?? 'v1.0';
  return { baseUrl: `${url.origin}${segments.length ? `/${segments.join('/')}` : ''}`, version };
}

async function credentialFor(graph: Config['graph']): Promise<TokenCredential | undefined> {
  const identity = await import('@azure/identity');
  if (graph.clientSecret && graph.tenantId && graph.clientId) {
    return new identity.ClientSecretCredential(graph.tenantId, graph.clientId, graph.clientSecret);
  }
  if (graph.certificatePath && graph.tenantId && graph.clientId) {
    return new identity.ClientCertificateCredential(graph.tenantId, graph.clientId, {
      certificatePath: graph.certificatePath,
    });
  }
  if (graph.useManagedIdentity) return new identity.ManagedIdentityCredential();
  return undefined;
}

export async function createGraphGateway(graph: Config['graph']): Promise<GraphGateway> {
  const { baseUrl, version } = splitGraphBaseUrl(graph.baseUrl);
  const origin = new URL(baseUrl).origin;
  const credential = await credentialFor(graph);
  const authProvider = credential
    ? new TokenCredentialAuthenticationProvider(credential, { scopes: [`${origin}/.default`] })
    : { getAccessToken: async () => '' }; // loopback simulator only: config refuses this elsewhere
  const auth = new AuthenticationHandler(authProvider);
  const retry = new DeadlineRetryHandler(graph.deadlineMs);
  auth.setNext(retry);
  retry.setNext(new HTTPMessageHandler());
  const host = new URL(baseUrl).host;
  const client = Client.initWithMiddleware({
    middleware: auth,
    baseUrl,
    defaultVersion: version,
    // The client attaches tokens only to hosts it knows as Graph; national clouds and proxies are named here.
    customHosts: origin.startsWith('https:') ? new Set([host]) : undefined,
    // A redirect is an answer like any other (an unknown outcome), never followed with the body resent.
    fetchOptions: { redirect: 'manual' },
  });

  return {
    async inviteParticipants(callId, body, sendBefore) {
      const capture = new GraphRequestOptions(sendBefore);
      try {
        const operation: unknown = await client
          .api(`/communications/calls/${encodeURIComponent(callId)}/participants/invite`)
          .middlewareOptions([capture])
          .post(body);
        return { operation, requestId: capture.requestId };
      } catch (err) {
        throw toGraphFailure(err, capture.requestId);
      }
    },
  };
}

function toGraphFailure(err: unknown, answeredRequestId: string | undefined): Error {
  if (!(err instanceof GraphError)) return err instanceof Error ? err : new Error(String(err));
  const status = err.statusCode;
  const requestId = err.requestId ?? answeredRequestId;
  if (status <= 0) return new GraphOutcomeUnknown(err.code ?? 'no response');
  switch (classifyGraphStatus(status)) {
    case 'throttled':
      return new GraphUnavailable(status, retryAfterSeconds(err.headers?.get('retry-after'), 5), requestId);
    case 'refused':
      return new GraphRefused(status, err.code ?? 'Unknown', err.message, requestId);
    default:
      return new GraphOutcomeUnknown(`Graph answered ${status}`, status, requestId);
  }
}
