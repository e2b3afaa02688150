import type { HttpRequest } from '@azure/functions';

import type { Config } from '../config';

/**
 * Graph's callbackUri for the calls the service starts: CALLBACK_URI, or this host's
 * /api/notifications (on Azure the app's own https name; http only for local development).
 */
export function callbackUriFor(req: HttpRequest, config: Pick<Config, 'callbackUri' | 'allowLoopbackUrls'>): string {
  if (config.callbackUri) return config.callbackUri;
  const url = new URL('/api/notifications', req.url);
  if (!(config.allowLoopbackUrls && url.protocol === 'http:')) url.protocol = 'https:';
  return url.toString();
}
