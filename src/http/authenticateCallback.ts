import type { HttpRequest, InvocationContext } from '@azure/functions';

import { type CallbackClaims, CallbackTokenError, type CallbackTokenValidator } from '../auth/callbackToken';

/** 401 unless the request carries a valid Graph callback token; its claims. The token itself is never logged. */
export async function authenticateCallback(
  req: HttpRequest,
  tokens: CallbackTokenValidator,
  context: InvocationContext,
): Promise<CallbackClaims> {
  try {
    return await tokens.validate(req.headers.get('authorization'));
  } catch (err) {
    if (!(err instanceof CallbackTokenError)) throw err;
    context.warn(`Callback rejected: ${err.reason}.`);
    throw err;
  }
}
