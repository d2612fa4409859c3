import qs from 'qs';
import { invalidRequest, parameterUnknown } from './errors.js';

/** A decoded form/query value. Objects are prototype-less so `__proto__`/`constructor` keys stay plain data. */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export const MAX_BODY_BYTES = 1024 * 1024;

const QS_OPTIONS = {
  depth: 5,
  strictDepth: true,
  parameterLimit: 1000,
  arrayLimit: 100,
  throwOnLimitExceeded: true,
  plainObjects: true,
  allowPrototypes: false,
  allowSparse: false,
  // `a=1&a=2` is a=2, as Rack (Stripe's parser) reads it; `a[]=1&a[]=2` stays a list.
  duplicates: 'last',
} as const;

export function emptyForm(): FormObject {
  return Object.create(null) as FormObject;
}

function normalise(value: unknown): FormValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(normalise);
  const out = emptyForm();
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = normalise(v);
    }
  }
  return out;
}

/** Which of the form's limits a body broke, in the API's words rather than the parser's. */
function limitExceeded(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (/depth/i.test(message)) return `parameters may be nested at most ${QS_OPTIONS.depth} levels deep.`;
  if (/parameter limit/i.test(message)) return `at most ${QS_OPTIONS.parameterLimit} parameters are allowed.`;
  if (/array limit/i.test(message)) return `an array may have at most ${QS_OPTIONS.arrayLimit} elements.`;
  return 'it could not be decoded.';
}

const decodeKey = (key: string) => {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
};

/**
 * The parser drops a `__proto__` key, where Stripe names it an unknown parameter (no endpoint has
 * one): the first such key, up to and including that segment (`__proto__`, `metadata[__proto__]`).
 */
function prototypeKey(raw: string): string | undefined {
  for (const pair of raw.split('&')) {
    const key = decodeKey(pair.split('=', 1)[0]!);
    const at = key.search(/(^|\[)__proto__(\]|\[|$)/);
    if (at === 0 && key.startsWith('__proto__')) return '__proto__';
    if (at >= 0) return `${key.slice(0, at)}[__proto__]`;
  }
  return undefined;
}

/** Parses `application/x-www-form-urlencoded` with Stripe's bracket keys (`card[number]`, `expand[0]`). */
export function parseForm(raw: string): FormObject {
  if (raw.length === 0) return emptyForm();
  // Keys are looked at decoded (`__%70roto__` is `__proto__`); a body with neither the word nor an escape has none.
  const forbidden = /proto|%/i.test(raw) ? prototypeKey(raw) : undefined;
  if (forbidden !== undefined) throw parameterUnknown(forbidden);
  let parsed: unknown;
  try {
    parsed = qs.parse(raw, QS_OPTIONS);
  } catch (err) {
    throw invalidRequest(`Invalid request body: ${limitExceeded(err)}`);
  }
  const form = normalise(parsed);
  if (typeof form === 'string' || Array.isArray(form)) throw invalidRequest('Invalid request body.');
  return form;
}

/** Two forms as one: `over`'s parameters replace `under`'s of the same name. */
export function mergeForms(under: FormObject, over: FormObject): FormObject {
  const merged = emptyForm();
  for (const [name, value] of Object.entries(under)) merged[name] = value;
  for (const [name, value] of Object.entries(over)) merged[name] = value;
  return merged;
}

/** Stable serialisation so an idempotent retry with the same params in another key order still matches. */
export function canonicalForm(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalForm).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalForm(value[k] ?? '')}`).join(',')}}`;
}
