import type { ErrorDetail } from './errors.js';

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one
// (no `u` flag: the pattern must see UTF-16 code units, not code points).
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text no record may hold: a NUL character or an unpaired UTF-16 surrogate. PostgreSQL cannot
 * store either (`invalid byte sequence for encoding "UTF8"`). Every face refuses it at the door
 * (src/http/text-rule.ts); text that comes another way (a partner token's claims) is checked here.
 */
export function isUnsafeText(value: string): boolean {
  return value.includes('\u0000') || LONE_SURROGATE.test(value);
}

const UNSAFE_GLOBAL = new RegExp(`\u0000|${LONE_SURROGATE.source}`, 'g');

const UNSAFE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

const MAX_REPORTED = 10;
/** Deeper than this, a value is refused unread: no document of any face nests so far, and no check may skip a part. */
export const MAX_DEPTH = 64;
const TOO_DEEP_MESSAGE = `must not nest more than ${MAX_DEPTH} levels deep`;

const pointerPart = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1').replace(UNSAFE_GLOBAL, '\ufffd').slice(0, 64);

/** JSON pointers of every string (value or property name) in value that breaks the rule, and of any part nested too deeply to check. */
export function findUnsafeText(value: unknown, path = '', found: ErrorDetail[] = []): ErrorDetail[] {
  // Nearly every value is clean: a walk that allocates nothing says so, and only then are pointers spelled out.
  if (holdsUnsafeText(value, 0)) reportUnsafeText(value, path, found, 0);
  return found;
}

function holdsUnsafeText(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return isUnsafeText(value);
  if (Array.isArray(value)) return depth >= MAX_DEPTH || value.some((item) => holdsUnsafeText(item, depth + 1));
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return false;
  if (depth >= MAX_DEPTH) return true;
  for (const key in value) {
    if (Object.hasOwn(value, key) && (isUnsafeText(key) || holdsUnsafeText((value as Record<string, unknown>)[key], depth + 1))) return true;
  }
  return false;
}

function reportUnsafeText(value: unknown, path: string, found: ErrorDetail[], depth: number): void {
  if (found.length >= MAX_REPORTED) return;
  if (typeof value === 'string') {
    if (isUnsafeText(value)) found.push({ path: path || '/', message: UNSAFE_TEXT_MESSAGE });
  } else if (depth >= MAX_DEPTH && typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    found.push({ path: path || '/', message: TOO_DEEP_MESSAGE });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => reportUnsafeText(item, `${path}/${index}`, found, depth + 1));
  } else if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value)) {
      const itemPath = `${path}/${pointerPart(key)}`;
      if (isUnsafeText(key)) found.push({ path: itemPath, message: UNSAFE_TEXT_MESSAGE });
      reportUnsafeText(item, itemPath, found, depth + 1);
    }
  }
}
