import type { RequestContext } from './context.js';
import { expand } from './expand.js';
import type { FormObject } from './form.js';
import { strArray, validate, type Parsed, type Shape } from './params.js';

export type Method = 'GET' | 'POST' | 'DELETE';

/** Runs a validated request. Returns the response object; Stripe errors are thrown. */
export type Handler = (ctx: RequestContext, ids: string[]) => unknown;

export interface Route {
  method: Method;
  segments: string[];
  /** Validates parameters (a 400 here is never stored under an idempotency key) and returns the executor. */
  prepare(form: FormObject): Handler;
}

const expandShape = { expand: strArray() };
type WithExpand<S extends Shape> = Parsed<S & typeof expandShape>;

/** `path` uses `:id` for path parameters, handed to `run` in order. */
export function route<S extends Shape>(
  method: Method, path: string, shape: S,
  run: (ctx: RequestContext, input: WithExpand<S>, ids: string[]) => unknown,
): Route {
  const full = { ...shape, ...expandShape };
  return {
    method,
    segments: path.split('/').filter(Boolean),
    prepare(form) {
      const input = validate(full, form) as WithExpand<S>;
      return (ctx, ids) => expand(ctx.state.store, run(ctx, input, ids), input.expand);
    },
  };
}

export interface RouteMatch {
  route: Route;
  ids: string[];
}

function matchSegments(pattern: string[], parts: string[]): string[] | undefined {
  if (pattern.length !== parts.length) return undefined;
  const ids: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const part = parts[i] ?? '';
    if (p === ':id') {
      // `/v1/<resource>/search` is Stripe's search endpoint, never an object id.
      if (part === '' || (i === 2 && part === 'search')) return undefined;
      ids.push(part);
    } else if (p !== part) {
      return undefined;
    }
  }
  return ids;
}

export class Router {
  constructor(private readonly routes: Route[]) {}

  match(method: string, path: string): RouteMatch | undefined {
    let parts: string[];
    try {
      parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return undefined;
    }
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const ids = matchSegments(r.segments, parts);
      if (ids) return { route: r, ids };
    }
    return undefined;
  }
}
