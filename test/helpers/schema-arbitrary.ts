import fc from 'fast-check';

/** The part of JSON Schema the route schemas use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  $ref?: string;
}

const HOSTILE_STRINGS = ['', ' ', '\u0000', '__proto__', 'constructor', '../../etc/passwd', "' or 1=1 --", '<script>alert(1)</script>', '𝕏'.repeat(200), 'x'.repeat(20_000), '%00', '\ud800'];

/** Any JSON value at all, including wrong types and deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown),
  fc.constant(Array.from({ length: 60 }).reduce<unknown>((inner) => ({ a: inner }), 1)),
  fc.jsonValue({ maxDepth: 3 }),
);

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
}

/** Values that match the schema most of the time, and hostile ones now and then. */
export function arbitraryFor(schema: JsonSchema, resolve: (ref: string) => JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return arbitraryFor(resolve(schema.$ref), resolve, depth);
  const valid = validFor(schema, resolve, depth);
  return fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: hostileValue, weight: 1 });
}

/** Values that match the schema (as far as the generator can tell), never a hostile one on purpose. */
export function validFor(schema: JsonSchema, resolve: (ref: string) => JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return validFor(resolve(schema.$ref), resolve, depth);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return fc.oneof(...union.map((s) => arbitraryFor(s, resolve, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth > 4 ? fc.constant([]) : fc.array(arbitraryFor(schema.items ?? {}, resolve, depth + 1), { maxLength: 4 });
    case 'object':
      return objectFor(schema, resolve, depth);
    default:
      return hostileValue;
  }
}

function objectFor(schema: JsonSchema, resolve: (ref: string) => JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (depth > 4) return fc.constant({});
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const record = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, arbitraryFor(s, resolve, depth + 1)]));
  const requiredKeys = Object.keys(properties).filter((k) => required.has(k));
  return fc.tuple(fc.record(record, { requiredKeys }), fc.option(fc.dictionary(fc.string({ maxLength: 12 }), hostileValue, { maxKeys: 2 }), { freq: 5 })).map(
    ([value, extra]) => ({ ...(extra ?? {}), ...(value as object) }),
  );
}
