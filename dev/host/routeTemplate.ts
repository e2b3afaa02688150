/**
 * Azure Functions route templates (`calls/{callId}/operations/{operationId}`): literal segments
 * match case-insensitively, `{name}` one decoded segment, `{name?}` an optional last segment,
 * `{name:constraint}` is matched as `{name}`. As in ASP.NET Core routing, an encoded `/` (`%2F`)
 * stays encoded in a route value: it never becomes a path separator a handler could be fooled by.
 */
export interface RouteTemplate {
  template: string;
  match(pathSegments: string[]): Record<string, string> | undefined;
}

export function compileRoute(template: string): RouteTemplate {
  const parts = template
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{([^}:?]+)(?::[^}?]+)?(\?)?\}$/.exec(segment);
      return param ? { param: param[1] as string, optional: Boolean(param[2]) } : { literal: segment.toLowerCase() };
    });
  return {
    template,
    match(segments) {
      const params: Record<string, string> = {};
      for (let i = 0; i < Math.max(parts.length, segments.length); i++) {
        const part = parts[i];
        const segment = segments[i];
        if (!part) return undefined;
        if (segment === undefined) {
          if ('optional' in part && part.optional) continue;
          return undefined;
        }
        if ('literal' in part) {
          if (part.literal !== segment.toLowerCase()) return undefined;
        } else {
          try {
            params[part.param] = decodeURIComponent(segment.replace(/%2F/gi, (encoded) => `%25${encoded.slice(1)}`));
          } catch {
            return undefined;
          }
        }
      }
      return params;
    },
  };
}
