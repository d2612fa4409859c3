import {
  invalidRequest, parameterInvalidEmpty, parameterInvalidInteger, parameterInvalidString,
  parameterMissing, parameterUnknown,
} from './errors.js';
import type { FormObject, FormValue } from './form.js';

/**
 * Per-endpoint parameter validation. A parser receives the raw form value (undefined when
 * absent) and the parameter's name as Stripe spells it (`card[number]`), and throws
 * Stripe's 400 errors. An empty string means "unset", so optional parsers return null for it.
 */
export type Parser<T> = (value: FormValue | undefined, param: string) => T;
export type Shape = Record<string, Parser<unknown>>;
export type Parsed<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

const MAX_STRING = 5000;

export function nested(prefix: string, key: string): string {
  return prefix ? `${prefix}[${key}]` : key;
}

export function validate<S extends Shape>(shape: S, form: FormObject, prefix = ''): Parsed<S> {
  for (const key of Object.keys(form)) {
    if (!Object.prototype.hasOwnProperty.call(shape, key)) throw parameterUnknown(nested(prefix, key));
  }
  const out: Partial<Parsed<S>> = {};
  for (const key of Object.keys(shape) as Array<keyof S & string>) {
    const parser = shape[key];
    if (parser) out[key] = parser(form[key], nested(prefix, key)) as Parsed<S>[typeof key];
  }
  return out as Parsed<S>;
}

function expectString(value: FormValue, param: string): string {
  if (typeof value !== 'string') throw parameterInvalidString(param);
  return value;
}

/** Whether s is longer than max characters. Stripe counts characters (code points): an emoji is one, not two UTF-16 units. */
function longerThan(s: string, max: number): boolean {
  if (s.length <= max) return false;
  let characters = 0;
  for (const _ of s) if (++characters > max) return true;
  return false;
}

/** The first characters of s for an error message, never half of a surrogate pair. */
const opening = (s: string, characters: number) => Array.from(s.slice(0, characters * 2)).slice(0, characters).join('');

export const str = (max = MAX_STRING): Parser<string | null | undefined> => (value, param) => {
  if (value === undefined) return undefined;
  const s = expectString(value, param);
  if (s === '') return null;
  if (longerThan(s, max)) throw invalidRequest(`Invalid string: ${opening(s, 20)}...; must be at most ${max} characters`, undefined, param);
  return s;
};

// What Stripe takes as an email address: no spaces or non-ASCII, a dotted domain whose last label is
// letters or an internationalised TLD in its ASCII form (`xn--p1ai`, as real Stripe accepts).
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.(?:[A-Za-z]{2,}|xn--[A-Za-z0-9-]*[A-Za-z0-9])$/;

/** An email address (Stripe: 400 `email_invalid` on `param` for anything else); empty unsets. */
export const email = (max = 512): Parser<string | null | undefined> => (value, param) => {
  const s = str(max)(value, param);
  if (s && !EMAIL.test(s)) throw invalidRequest(`Invalid email address: ${s}`, 'email_invalid', param);
  return s;
};

export const reqStr = (max = MAX_STRING): Parser<string> => (value, param) => {
  if (value === undefined) throw parameterMissing(param);
  const s = str(max)(value, param);
  if (s === null || s === undefined) throw parameterInvalidEmpty(param);
  return s;
};

export interface IntOptions { min?: number; max?: number }

/** An integer parameter's value as a string; a list or hash is an invalid integer, as Stripe words it. */
function integerText(value: FormValue, param: string): string {
  if (typeof value !== 'string') throw parameterInvalidInteger(param, JSON.stringify(value).slice(0, 40));
  return value;
}

export const int = (opts: IntOptions = {}): Parser<number | null | undefined> => (value, param) => {
  if (value === undefined) return undefined;
  const s = integerText(value, param);
  if (s === '') return null;
  if (!/^-?\d{1,15}$/.test(s)) throw parameterInvalidInteger(param, s.slice(0, 40));
  const n = Number(s);
  if (opts.min !== undefined && n < opts.min) throw invalidRequest(`This value must be greater than or equal to ${opts.min}.`, undefined, param);
  if (opts.max !== undefined && n > opts.max) throw invalidRequest(`This value must be less than or equal to ${opts.max}.`, undefined, param);
  return n;
};

export const reqInt = (opts: IntOptions = {}): Parser<number> => (value, param) => {
  if (value === undefined) throw parameterMissing(param);
  const n = int(opts)(value, param);
  if (n === null || n === undefined) throw parameterInvalidEmpty(param);
  return n;
};

export const bool = (): Parser<boolean | null | undefined> => (value, param) => {
  if (value === undefined) return undefined;
  const s = expectString(value, param);
  if (s === '') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw invalidRequest(`Invalid boolean: ${s.slice(0, 40)}`, undefined, param);
};

export const oneOf = <T extends string>(values: readonly T[]): Parser<T | null | undefined> => (value, param) => {
  const s = str(100)(value, param);
  if (s === null || s === undefined) return s;
  if ((values as readonly string[]).includes(s)) return s as T;
  const list = values.length > 1 ? `${values.slice(0, -1).join(', ')}, or ${values[values.length - 1]}` : values.join('');
  throw invalidRequest(`Invalid ${param}: must be one of ${list}`, undefined, param);
};

export const strArray = (maxItems = 100): Parser<string[] | null | undefined> => (value, param) => {
  if (value === undefined) return undefined;
  if (value === '') return null;
  if (!Array.isArray(value)) throw invalidRequest('Invalid array', undefined, param);
  if (value.length > maxItems) throw invalidRequest(`Invalid array: at most ${maxItems} items`, undefined, param);
  return value.map((item, i) => {
    const s = str()(item, `${param}[${i}]`);
    if (!s) throw parameterInvalidEmpty(`${param}[${i}]`);
    return s;
  });
};

export const object = <S extends Shape>(shape: S): Parser<Parsed<S> | null | undefined> => (value, param) => {
  if (value === undefined) return undefined;
  if (value === '') return null;
  if (typeof value === 'string' || Array.isArray(value)) throw invalidRequest('Invalid object', undefined, param);
  return validate(shape, value, param);
};

/** `name[0][k]=v` lists of hashes (e.g. `invoice_settings[custom_fields]`), each validated by `shape`. */
export const objectArray = <S extends Shape>(shape: S, maxItems: number): Parser<Array<Parsed<S>> | null | undefined> => (value, param) => {
  if (value === undefined) return undefined;
  if (value === '') return null;
  const items = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value) : null;
  if (!items) throw invalidRequest('Invalid array', undefined, param);
  if (items.length > maxItems) throw invalidRequest(`Invalid array: at most ${maxItems} items`, undefined, param);
  return items.map((item, i) => {
    if (typeof item === 'string' || Array.isArray(item)) throw invalidRequest('Invalid object', undefined, `${param}[${i}]`);
    return validate(shape, item, `${param}[${i}]`);
  });
};

/**
 * A nested hash Stripe takes and the emulator accepts without acting on it (e.g. external 3-D Secure
 * results, installment plans): any keys, any values; answered as given.
 */
export const opaqueObject = (): Parser<FormObject | null | undefined> => (value, param) => {
  if (value === undefined) return undefined;
  if (value === '') return null;
  if (typeof value === 'string' || Array.isArray(value)) throw invalidRequest('Invalid object', undefined, param);
  return value;
};

/** `metadata[k]=v` entries; a null value deletes that key; null overall (`metadata=`) clears all. */
export type MetadataPatch = Array<[string, string | null]>;

export const metadata = (): Parser<MetadataPatch | null | undefined> => (value, param) => {
  if (value === undefined) return undefined;
  if (value === '') return null;
  if (typeof value === 'string' || Array.isArray(value)) throw invalidRequest('Invalid object', undefined, param);
  const entries = Object.keys(value);
  if (entries.length > 50) throw invalidRequest('Invalid metadata: metadata can have at most 50 keys.', undefined, param);
  return entries.map((key) => {
    if (longerThan(key, 40)) throw invalidRequest(`Metadata key length can't exceed 40 characters.`, undefined, nested(param, key));
    if (/[[\]]/.test(key)) throw invalidRequest(`Invalid metadata key: ${opening(key, 40)}. Metadata keys can't contain square brackets ([ or ]).`, undefined, param);
    const v = str(500)(value[key], nested(param, key));
    return [key, v ?? null];
  });
};

export type CreatedFilter = { gt?: number; gte?: number; lt?: number; lte?: number };

export const createdRange = (): Parser<CreatedFilter | undefined> => (value, param) => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string') {
    const n = reqInt()(value, param);
    return { gte: n, lte: n };
  }
  const r = object({ gt: int(), gte: int(), lt: int(), lte: int() })(value, param);
  const out: CreatedFilter = {};
  if (r?.gt != null) out.gt = r.gt;
  if (r?.gte != null) out.gte = r.gte;
  if (r?.lt != null) out.lt = r.lt;
  if (r?.lte != null) out.lte = r.lte;
  return out;
};

export function inCreatedRange(created: number, f: CreatedFilter | undefined): boolean {
  if (!f) return true;
  return (f.gt === undefined || created > f.gt) && (f.gte === undefined || created >= f.gte)
    && (f.lt === undefined || created < f.lt) && (f.lte === undefined || created <= f.lte);
}

export const listShape = {
  limit: int({ min: 1, max: 100 }),
  starting_after: str(),
  ending_before: str(),
};
