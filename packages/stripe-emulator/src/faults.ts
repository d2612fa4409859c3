import { invalidRequest } from './errors.js';
import { newId } from './ids.js';

export type FaultKind = 'http500' | 'http429' | 'hang' | 'drop';
const KINDS: readonly FaultKind[] = ['http500', 'http429', 'hang', 'drop'];

export interface FaultRule {
  id: string;
  /** Upper-case HTTP method, or null for any. */
  method: string | null;
  path: string;
  /** `prefix` (default): `/v1/payment_intents` also matches `/v1/payment_intents/pi_1/confirm`. */
  match: 'prefix' | 'exact';
  remaining: number;
  kind: FaultKind;
  hangMs: number;
  /** Run the operation (and store its real response under the idempotency key) before failing the answer. */
  executeBeforeFault: boolean;
  /** Share of matching calls that fail (1 = every one); a call spared costs no count. */
  rate: number;
}

// Past stripe-node's default 80 s timeout, so the client gives up first.
const DEFAULT_HANG_MS = 90_000;
const MAX_HANG_MS = 10 * 60_000;

function field<T>(body: Record<string, unknown>, key: string, check: (v: unknown) => v is T, fallback: T, what: string): T {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (!check(v)) throw invalidRequest(`Invalid ${key}: expected ${what}.`, undefined, key);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100_000;
const isHang = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_HANG_MS;
const isKind = (v: unknown): v is FaultKind => typeof v === 'string' && (KINDS as readonly string[]).includes(v);
const isMatch = (v: unknown): v is 'prefix' | 'exact' => v === 'prefix' || v === 'exact';
const isRate = (v: unknown): v is number => typeof v === 'number' && v > 0 && v <= 1;

export function parseFaultRule(body: Record<string, unknown>): FaultRule {
  const path = field(body, 'path', isString, '', 'a string');
  if (!path.startsWith('/')) throw invalidRequest('Missing or invalid path: expected an absolute path such as /v1/payment_intents.', 'parameter_missing', 'path');
  const kind = field(body, 'kind', isKind, 'http500', `one of ${KINDS.join(', ')}`);
  if (body.kind === undefined) throw invalidRequest(`Missing kind: one of ${KINDS.join(', ')}.`, 'parameter_missing', 'kind');
  const method = field(body, 'method', isString, '', 'a string');
  return {
    id: newId('fault'), method: method ? method.toUpperCase() : null, path,
    match: field(body, 'match', isMatch, 'prefix', "'prefix' or 'exact'"),
    remaining: field(body, 'count', isCount, 1, 'an integer from 1 to 100000'),
    kind, hangMs: field(body, 'hangMs', isHang, DEFAULT_HANG_MS, `an integer from 0 to ${MAX_HANG_MS}`),
    executeBeforeFault: field(body, 'executeBeforeFault', isBool, false, 'a boolean'),
    rate: field(body, 'rate', isRate, 1, 'a number in (0, 1]'),
  };
}

export class Faults {
  private rules: FaultRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push(rule);
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Consumes one use of the first rule matching this call, oldest rule first. */
  take(method: string, path: string, random: () => number = Math.random): FaultRule | undefined {
    const i = this.rules.findIndex((r) =>
      (r.method === null || r.method === method) && (r.match === 'exact' ? path === r.path : path.startsWith(r.path)) && random() < r.rate);
    const rule = this.rules[i];
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(i, 1);
    return { ...rule };
  }
}
