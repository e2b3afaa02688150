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
  /** POST /communications/calls: starts a call (not idempotent: nothing is sent after `sendBefore`). */
  createCall(body: Record<string, unknown>, sendBefore?: number): Promise<{ call: unknown; requestId?: string }>;
  /** DELETE /communications/calls/{id}: hangs up. */
  deleteCall(callId: string): Promise<void>;
  /** POST /communications/calls/{id}/keepAlive: Graph ends a call left without one for 45 minutes. */
  keepAlive(callId: string): Promise<void>;
  /**
   * POST /communications/calls/{id}/answer: takes an incoming call. Graph gives 15 seconds, so
   * nothing is sent (nor retried) after `sendBefore` (epoch ms).
   */
  answerCall(callId: string, body: Record<string, unknown>, sendBefore?: number): Promise<void>;
  /** POST /communications/calls/{id}/reject: turns an incoming call away (within 15 seconds, as answer). */
  rejectCall(callId: string, reason: 'none' | 'busy' | 'forbidden', sendBefore?: number): Promise<void>;
  /** DELETE /communications/calls/{id}/participants/{participantId}. */
  removeParticipant(callId: string, participantId: string): Promise<void>;
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

  /** One Graph request; failures become the domain's Graph errors by what their status says. */
  async function send(method: 'post' | 'delete', path: string, body?: unknown, sendBefore?: number) {
    const options = new GraphRequestOptions(sendBefore);
    try {
      const request = client.api(path).middlewareOptions([options]);
      // A POST without a body goes without one (keepAlive's page: "Do not supply a request body").
      const answer: unknown = method === 'post' ? await request.post(body) : await request.delete();
      return { answer, requestId: options.requestId };
    } catch (err) {
      // A 2xx whose empty body the client failed to read as JSON (reject answers 202, keepAlive 200,
      // without a body): Graph accepted the request. Calls that need an answer then find none.
      if (err instanceof GraphError && classifyGraphStatus(err.statusCode) === 'accepted')
        return { answer: undefined, requestId: err.requestId ?? options.requestId };
      throw toGraphFailure(err, options.requestId);
    }
  }
  const call = (callId: string) => `/communications/calls/${encodeURIComponent(callId)}`;

  return {
    async inviteParticipants(callId, body, sendBefore) {
      const { answer, requestId } = await send('post', `${call(callId)}/participants/invite`, body, sendBefore);
      return { operation: answer, requestId };
    },
    async createCall(body, sendBefore) {
      const { answer, requestId } = await send('post', '/communications/calls', body, sendBefore);
      return { call: answer, requestId };
    },
    async deleteCall(callId) {
      await send('delete', call(callId));
    },
    async keepAlive(callId) {
      await send('post', `${call(callId)}/keepAlive`);
    },
    async answerCall(callId, body, sendBefore) {
      await send('post', `${call(callId)}/answer`, body, sendBefore);
    },
    async rejectCall(callId, reason, sendBefore) {
      await send('post', `${call(callId)}/reject`, { reason }, sendBefore);
    },
    async removeParticipant(callId, participantId) {
      await send('delete', `${call(callId)}/participants/${encodeURIComponent(participantId)}`);
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
