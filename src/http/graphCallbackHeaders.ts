import type { HttpRequest } from '@azure/functions';

// The headers Graph sends with each callback that Microsoft support asks for when a call goes wrong.
const SUPPORT_HEADERS = {
  clientRequestId: 'client-request-id',
  scenarioId: 'scenario-id',
  chainId: 'x-microsoft-skype-chain-id',
  messageId: 'x-microsoft-skype-message-id',
} as const;

export type GraphCallbackHeaders = Partial<Record<keyof typeof SUPPORT_HEADERS, string>>;

/** Graph's support headers of a callback, as present (each cut to 128 characters), for the log. */
export function graphCallbackHeaders(req: HttpRequest): GraphCallbackHeaders {
  const found: GraphCallbackHeaders = {};
  for (const [name, header] of Object.entries(SUPPORT_HEADERS) as Array<[keyof typeof SUPPORT_HEADERS, string]>) {
    const value = req.headers.get(header);
    if (value) found[name] = value.slice(0, 128);
  }
  return found;
}
