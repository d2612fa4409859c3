import qs from 'qs';
import { invalidRequest } from './errors.js';

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

/** Parses `application/x-www-form-urlencoded` with Stripe's bracket keys (`card[number]`, `expand[0]`). */
export function parseForm(raw: string): FormObject {
  if (raw.length === 0) return emptyForm();
  let parsed: unknown;
  try {
    parsed = qs.parse(raw, QS_OPTIONS);
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'malformed body';
    throw invalidRequest(`Invalid request body: ${reason}`);
  }
  const form = normalise(parsed);
  if (typeof form === 'string' || Array.isArray(form)) throw invalidRequest('Invalid request body.');
  return form;
}

/** Stable serialisation so an idempotent retry with the same params in another key order still matches. */
export function canonicalForm(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalForm).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalForm(value[k] ?? '')}`).join(',')}}`;
}
