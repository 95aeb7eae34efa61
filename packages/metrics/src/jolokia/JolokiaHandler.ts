import { ATTRIBUTES, DESCRIPTIONS, hasAttribute, readAttributes, type AttributeValue } from '../attributes';
import { systemClock, type Clock } from '../Clock';
import { MalformedNameError } from '../MetricName';
import type { MetricsRegistry } from '../MetricsRegistry';
import { ObjectNamePattern } from '../ObjectNamePattern';
import {
  BadJolokiaRequest,
  requestFromGetPath,
  requestsFromPostBody,
  splitJolokiaPath,
  type JolokiaRequest,
} from './requests';

export const JOLOKIA_PROTOCOL_VERSION = '7.2';

export type JolokiaErrorType =
  | 'javax.management.InstanceNotFoundException'
  | 'java.lang.IllegalArgumentException'
  | 'javax.management.AttributeNotFoundException';

export type JolokiaResponse =
  | { readonly request: JolokiaRequestEcho; readonly value: unknown; readonly timestamp: number; readonly status: 200 }
  | {
      readonly request: JolokiaRequestEcho;
      readonly error_type: JolokiaErrorType;
      readonly error: string;
      readonly status: 400 | 404;
    };

/** The request's fields as Jolokia echoes them. */
export type JolokiaRequestEcho = Readonly<Record<string, unknown>>;

export interface JolokiaOptions {
  /** Reported as the agent version. */
  readonly agentVersion: string;
  readonly clock?: Clock;
}

export interface ProcessingParameters {
  /** Jolokia's canonicalNaming: names with their keys sorted (default false: as registered). */
  readonly canonicalNaming?: boolean;
}

class JolokiaError extends Error {
  constructor(
    readonly errorType: JolokiaErrorType,
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (m: string) => new JolokiaError('javax.management.InstanceNotFoundException', 404, m);
const badRequest = (m: string) => new JolokiaError('java.lang.IllegalArgumentException', 400, m);
const noAttribute = (m: string) => new JolokiaError('javax.management.AttributeNotFoundException', 404, m);

/**
 * A read-only Jolokia agent over a MetricsRegistry: read (plain names and patterns, attribute
 * selection), search, list and version, from GET paths or POST bodies (one request or a bulk
 * array, answered in order). A request that fails gets a JSON error with status 400 or 404; nothing
 * a client sends can throw out of here.
 */
export class JolokiaHandler {
  private readonly clock: Clock;

  constructor(
    private readonly registry: MetricsRegistry,
    private readonly options: JolokiaOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** `path` is what follows `/jolokia/`, still URL-encoded. */
  handleGet(path: string, params: ProcessingParameters = {}): JolokiaResponse {
    let request: JolokiaRequest;
    try {
      request = requestFromGetPath(path);
    } catch (e) {
      return this.error({}, badRequest((e as Error).message));
    }
    return this.handle(request, params);
  }

  handlePost(body: string, params: ProcessingParameters = {}): JolokiaResponse | JolokiaResponse[] {
    let parsed: { bulk: boolean; requests: unknown[] };
    try {
      parsed = requestsFromPostBody(body);
    } catch (e) {
      return this.error({}, badRequest((e as Error).message));
    }
    const responses = parsed.requests.map((r) => this.handle(r, params));
    return parsed.bulk ? responses : responses[0];
  }

  /** One request (anything: a POST element may be any JSON value). */
  handle(raw: unknown, params: ProcessingParameters = {}): JolokiaResponse {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return this.error({}, badRequest('a request must be a JSON object'));
    }
    const request = raw as JolokiaRequest;
    const echo = echoOf(request);
    try {
      return this.ok(echo, this.dispatch(request, params));
    } catch (e) {
      if (e instanceof JolokiaError) return this.error(echo, e);
      if (e instanceof MalformedNameError || e instanceof BadJolokiaRequest) return this.error(echo, badRequest(e.message));
      return this.error(echo, badRequest(e instanceof Error ? e.message : String(e)));
    }
  }

  private dispatch(request: JolokiaRequest, params: ProcessingParameters): unknown {
    switch (request.type) {
      case 'read':
        return this.read(request, params);
      case 'search':
        return this.search(request, params);
      case 'list':
        return this.list(request, params);
      case 'version':
        return {
          agent: this.options.agentVersion,
          protocol: JOLOKIA_PROTOCOL_VERSION,
          config: {},
          info: { product: 'samsa', vendor: 'samsa' },
        };
      case undefined:
        throw badRequest('the request has no type');
      default:
        throw badRequest(`request type '${String(request.type)}' is not supported (read, search, list, version)`);
    }
  }

  private read(request: JolokiaRequest, params: ProcessingParameters): unknown {
    const pattern = parsePattern(request.mbean, 'read');
    if (request.path !== undefined && request.path !== '') {
      throw badRequest(`inner paths (${request.path}) are not supported for read`);
    }
    const attr = request.attribute;
    if (attr !== undefined && attr !== null && typeof attr !== 'string' && !isStringArray(attr)) {
      throw badRequest('attribute must be a string or an array of strings');
    }
    const names: readonly string[] | null = attr === undefined || attr === null ? null : typeof attr === 'string' ? [attr] : attr;
    if (pattern.isPattern) {
      const matches = this.registry.matching(pattern);
      if (matches.length === 0) throw notFound(`No MBean with pattern ${pattern.text} found for reading attributes`);
      const value: Record<string, Record<string, AttributeValue>> = {};
      for (const { name, metric } of matches) {
        const values = readAttributes(metric, names);
        if (names !== null && Object.keys(values).length === 0) continue;
        value[name.toString(params.canonicalNaming)] = values;
      }
      if (Object.keys(value).length === 0) {
        throw noAttribute(`No matching attributes ${names!.join(',')} found on MBeans ${pattern.text}`);
      }
      return value;
    }
    const metric = this.registry.get(pattern.toName());
    if (metric === undefined) throw notFound(pattern.text);
    for (const n of names ?? []) {
      if (!hasAttribute(metric, n)) throw noAttribute(`No such attribute: ${n}`);
    }
    const values = readAttributes(metric, names);
    return typeof attr === 'string' ? values[attr] : values;
  }

  private search(request: JolokiaRequest, params: ProcessingParameters): string[] {
    const pattern = parsePattern(request.mbean, 'search');
    return this.registry
      .matching(pattern)
      .map((m) => m.name.toString(params.canonicalNaming))
      .sort();
  }

  /** `{domain: {keyProperties: {attr: {...}, desc}}}`, narrowed by the path (domain/properties/attr). */
  private list(request: JolokiaRequest, params: ProcessingParameters): unknown {
    const tree: Record<string, Record<string, unknown>> = {};
    for (const { name, metric } of this.registry.all()) {
      const domain = (tree[name.domain] ??= {});
      const attr: Record<string, unknown> = {};
      for (const a of ATTRIBUTES[metric.kind]) attr[a.name] = { type: a.type, desc: a.desc, rw: false };
      domain[name.keyPropertyList(params.canonicalNaming)] = { attr, desc: DESCRIPTIONS[metric.kind] };
    }
    if (request.path === undefined || request.path === '') return tree;
    if (typeof request.path !== 'string') throw badRequest('path must be a string');
    let node: unknown = tree;
    for (const element of splitJolokiaPath(request.path)) {
      if (typeof node !== 'object' || node === null || !(element in node)) {
        throw notFound(`nothing listed at ${request.path}`);
      }
      node = (node as Record<string, unknown>)[element];
    }
    return node;
  }

  private ok(request: JolokiaRequestEcho, value: unknown): JolokiaResponse {
    return { request, value, timestamp: Math.floor(this.clock() / 1000), status: 200 };
  }

  private error(request: JolokiaRequestEcho, e: JolokiaError): JolokiaResponse {
    return { request, error_type: e.errorType, error: `${e.errorType} : ${e.message}`, status: e.status };
  }
}

function parsePattern(mbean: unknown, what: string): ObjectNamePattern {
  if (mbean === undefined || mbean === null || mbean === '') throw badRequest(`no MBean name given for ${what}`);
  if (typeof mbean !== 'string') throw badRequest('mbean must be a string');
  try {
    return ObjectNamePattern.parse(mbean);
  } catch (e) {
    throw badRequest(`invalid MBean name ${mbean}: ${(e as Error).message}`);
  }
}

function isStringArray(v: unknown): v is readonly string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function echoOf(request: JolokiaRequest): JolokiaRequestEcho {
  const echo: Record<string, unknown> = {};
  if (request.mbean !== undefined) echo.mbean = request.mbean;
  if (request.attribute !== undefined) echo.attribute = request.attribute;
  if (request.path !== undefined) echo.path = request.path;
  echo.type = request.type;
  return echo;
}
