/**
 * Jolokia protocol v7 requests as they arrive: GET paths (`/jolokia/<type>/<args…>`) and POST
 * bodies (one JSON object or an array of them), both turned into JolokiaRequest.
 */
export type JolokiaRequestType = 'read' | 'search' | 'list' | 'version';

export interface JolokiaRequest {
  readonly type: string;
  readonly mbean?: string;
  /** One attribute, several, or all (absent/null). */
  readonly attribute?: string | readonly string[] | null;
  /** Jolokia's inner path (list: domain/properties/…; read: into a value). */
  readonly path?: string;
}

/** A request that cannot even be read (bad escape, bad JSON): answered with status 400. */
export class BadJolokiaRequest extends Error {}

/**
 * Splits a GET path on `/`, undoing Jolokia's escapes: `!/` is a `/` inside an element and `!!`
 * a `!` (the path was URL-decoded by the caller). A `!` before any other character stands for
 * that character.
 */
export function splitJolokiaPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '!' && i + 1 < path.length) {
      current += path[++i];
    } else if (c === '/') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  // leading and trailing separators (`/jolokia/read/x/`) make no elements
  while (parts.length > 0 && parts[0] === '') parts.shift();
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The inverse of splitJolokiaPath: elements escaped and joined with `/`. */
export function joinJolokiaPath(parts: readonly string[]): string {
  return parts.map((p) => p.replace(/!/g, '!!').replace(/\//g, '!/')).join('/');
}

/** `read/<mbean>[/<attr>[,<attr>…][/<inner path>]]`, `search/<pattern>`, `list[/<path>]`, `version`. */
export function requestFromGetPath(rawPath: string): JolokiaRequest {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new BadJolokiaRequest(`the path ${rawPath} is not valid URL encoding`);
  }
  const parts = splitJolokiaPath(decoded);
  if (parts.length === 0) return { type: 'version' };
  const [type, ...args] = parts;
  switch (type) {
    case 'read': {
      const [mbean, attributes, ...inner] = args;
      if (mbean === undefined) return { type };
      const attrs = attributes === undefined ? undefined : attributes.split(',');
      return {
        type,
        mbean,
        ...(attrs === undefined ? {} : { attribute: attrs.length === 1 ? attrs[0] : attrs }),
        ...(inner.length > 0 ? { path: joinJolokiaPath(inner) } : {}),
      };
    }
    case 'search':
      return args.length === 0 ? { type } : { type, mbean: args.join('/') };
    case 'list':
      return args.length === 0 ? { type } : { type, path: joinJolokiaPath(args) };
    default:
      return { type };
  }
}

/** A POST body: one request or an array of them; elements that are not objects stay as they are. */
export function requestsFromPostBody(body: string): { bulk: boolean; requests: unknown[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new BadJolokiaRequest(`the request body is not JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(parsed)) return { bulk: true, requests: parsed };
  return { bulk: false, requests: [parsed] };
}
