import { invalidRequest, type StripeApiError } from './errors.js';

/** How a searchable field is read from an object and compared. */
export interface SearchField {
  type: 'string' | 'token' | 'number';
  read(obj: object): unknown;
}

export type SearchFields = Record<string, SearchField>;

type Op = ':' | '~' | '>' | '<' | '>=' | '<=';

interface Clause {
  negated: boolean;
  field: string;
  /** metadata['key'] */
  key: string | null;
  op: Op;
  value: string | null;
}

/** A parsed query: clauses joined all by AND or all by OR, as Stripe's search language allows. */
export interface SearchQuery {
  join: 'AND' | 'OR';
  clauses: Clause[];
}

const CLAUSE = /^(-?)([a-z_]+(?:\.[a-z_]+)*)(?:\[\s*(['"])(.*?)\3\s*\])?(>=|<=|:|~|>|<)/;

function syntaxError(query: string, at: number): StripeApiError {
  return invalidRequest(`Search query is invalid. Parsing error at character ${at}: '${query.slice(at, at + 20)}'. See https://stripe.com/docs/search#search-query-language.`, undefined, 'query');
}

/** The value after an operator: a quoted string, `null`, or a bare number. Returns it and where it ends. */
function readValue(query: string, at: number): { value: string | null; end: number } {
  const quote = query[at];
  if (quote === '"' || quote === "'") {
    let out = '';
    for (let i = at + 1; i < query.length; i++) {
      const ch = query[i] ?? '';
      if (ch === '\\' && i + 1 < query.length) out += query[++i];
      else if (ch === quote) return { value: out, end: i + 1 };
      else out += ch;
    }
    throw syntaxError(query, at);
  }
  const bare = /^[^\s)]+/.exec(query.slice(at))?.[0];
  if (!bare) throw syntaxError(query, at);
  if (bare === 'null') return { value: null, end: at + bare.length };
  if (!/^-?\d+(\.\d+)?$/.test(bare)) throw syntaxError(query, at);
  return { value: bare, end: at + bare.length };
}

function checkClause(c: Clause, fields: SearchFields, resource: string, query: string): void {
  const field = fields[c.field];
  if (!field || (c.field === 'metadata') !== (c.key !== null)) {
    throw invalidRequest(`Field \`${c.field}\` is an unsupported search field for resource \`${resource}\`. See https://stripe.com/docs/search#query-fields-for-${resource.replace('_', '-')} for a list of supported fields.`, undefined, 'query');
  }
  const numeric = c.op !== ':' && c.op !== '~';
  if (numeric && field.type !== 'number') throw invalidRequest(`Field \`${c.field}\` does not support the \`${c.op}\` operator.`, undefined, 'query');
  if (c.op === '~' && field.type !== 'string') throw invalidRequest(`Field \`${c.field}\` does not support substring matching (\`~\`).`, undefined, 'query');
  if (c.op === '~' && (c.value ?? '').length < 3) throw invalidRequest('Substring matching (`~`) needs a value of at least 3 characters.', undefined, 'query');
  if (field.type === 'number' && c.value !== null && !/^-?\d+(\.\d+)?$/.test(c.value)) throw syntaxError(query, query.indexOf(c.value));
}

/** Parses Stripe's search query language: `field:value`, `-field:value`, `~`, `> < >= <=`, `metadata['k']:'v'`, AND | OR. */
export function parseSearchQuery(query: string, fields: SearchFields, resource: string): SearchQuery {
  const clauses: Clause[] = [];
  const joins = new Set<'AND' | 'OR'>();
  let at = 0;
  for (;;) {
    while (query[at] === ' ') at++;
    if (at >= query.length) break;
    if (clauses.length > 0) {
      const join = /^(AND|OR)\s+/i.exec(query.slice(at));
      joins.add(join?.[1]?.toUpperCase() === 'OR' ? 'OR' : 'AND');
      if (join) at += join[0].length;
    }
    const m = CLAUSE.exec(query.slice(at));
    if (!m) throw syntaxError(query, at);
    const { value, end } = readValue(query, at + m[0].length);
    const clause: Clause = { negated: m[1] === '-', field: m[2] ?? '', key: m[4] ?? null, op: m[5] as Op, value };
    checkClause(clause, fields, resource, query);
    clauses.push(clause);
    at = end;
  }
  if (clauses.length === 0) throw invalidRequest('Search query is empty.', 'parameter_invalid_empty', 'query');
  if (joins.size > 1) throw invalidRequest('Search queries cannot mix AND and OR. See https://stripe.com/docs/search#search-query-language.', undefined, 'query');
  return { join: joins.has('OR') ? 'OR' : 'AND', clauses };
}

function clauseHolds(c: Clause, fields: SearchFields, obj: object): boolean {
  const field = fields[c.field];
  if (!field) return false;
  const raw = field.read(obj);
  const actual = c.key === null ? raw : (raw as Record<string, unknown> | null)?.[c.key];
  if (c.value === null) return actual === null || actual === undefined || actual === '';
  if (actual === null || actual === undefined) return false;
  if (field.type === 'number') {
    const a = Number(actual);
    const v = Number(c.value);
    return c.op === ':' ? a === v : c.op === '>' ? a > v : c.op === '<' ? a < v : c.op === '>=' ? a >= v : a <= v;
  }
  const a = String(actual).toLowerCase();
  const v = c.value.toLowerCase();
  return c.op === '~' ? a.includes(v) : a === v;
}

export function matchesSearch(q: SearchQuery, fields: SearchFields, obj: object): boolean {
  const holds = (c: Clause): boolean => clauseHolds(c, fields, obj) !== c.negated;
  return q.join === 'AND' ? q.clauses.every(holds) : q.clauses.some(holds);
}
