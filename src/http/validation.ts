import { Ajv, type Options } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import type { FastifySchema } from 'fastify';
import type { FastifySchemaCompiler } from 'fastify/types/schema.js';
import { Type } from 'typebox';
import { DISPLAY_NAME_FORMAT, EXTERNAL_ID_FORMAT, isDisplayName, isExternalId, isPlainText, PLAIN_TEXT_FORMAT } from '../core/users/display-name.js';
import { isEmailAddress } from '../core/users/email.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const formatsExport = addFormatsModule as unknown as { default: FormatsPlugin | { default: FormatsPlugin } };
const addFormats: FormatsPlugin = typeof formatsExport.default === 'function' ? formatsExport.default : formatsExport.default.default;

function makeAjv(options: Options): Ajv {
  // allErrors: a client fixes every bad field in one round trip; bodies are size-capped first.
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, ...options });
  addFormats(ajv);
  // The core's email rule (trimmed: surrounding spaces must not fail it), not ajv's own.
  ajv.addFormat('email', isEmailAddress);
  ajv.addFormat(DISPLAY_NAME_FORMAT, isDisplayName);
  ajv.addFormat(EXTERNAL_ID_FORMAT, isExternalId);
  ajv.addFormat(PLAIN_TEXT_FORMAT, isPlainText);
  ajv.addFormat(BIRTH_DATE_FORMAT, isBirthDate);
  return ajv;
}

/** A person's name on any face: 1 to 100 characters held to the display-name rule (src/core/users/display-name.ts). */
export const displayNameSchema = (description: string) => Type.String({ minLength: 1, maxLength: 100, format: DISPLAY_NAME_FORMAT, description });

/** The format of a date of birth: a real date (YYYY-MM-DD) from 1900 to today (tomorrow, for time zones ahead of ours). */
export const BIRTH_DATE_FORMAT = 'birth-date';

function isBirthDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  // Date rolls 2023-02-30 over into March: a real date reads back as written.
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return false;
  return date.getTime() >= Date.UTC(1900, 0, 1) && date.getTime() <= Date.now() + 86_400_000;
}

// Bodies are taken as sent: no coercion ("2000" is not 2000) and no silent stripping of
// unknown fields (additionalProperties: false must reject them). Query strings and path
// parameters are text by nature, so they are coerced.
const bodyAjv = makeAjv({ coerceTypes: false, removeAdditional: false });
const textAjv = makeAjv({ coerceTypes: 'array', removeAdditional: false });

/** A validator with the rules request bodies get, for documents that arrive another way (files). */
export function compileBodyValidator(schema: object) {
  return bodyAjv.compile(schema);
}

export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) =>
  httpPart === 'body' ? bodyAjv.compile(schema as object) : decimalNumbersOnly(textAjv.compile(schema as object), schema as object);

// A number in a query string or path is written in decimal, an integer without a fraction:
// ajv's coercion would also read "0x10" as 16, "1e1" as 10, " 16" and "16.0" as 16.
const DECIMAL: Record<string, RegExp> = { integer: /^-?(?:0|[1-9]\d*)$/, number: /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/ };

type Validate = ReturnType<Ajv['compile']>;
type ValidationIssue = NonNullable<Validate['errors']>[number];

/** `validate`, refusing first any numeric property of `schema` whose text is not a decimal number. */
function decimalNumbersOnly(validate: Validate, schema: { properties?: Record<string, { type?: unknown }> }) {
  const numeric = Object.entries(schema.properties ?? {}).flatMap(([name, { type }]) => (type === 'integer' || type === 'number' ? [{ name, type }] : []));
  if (numeric.length === 0) return validate;
  const check = (data: unknown): boolean => {
    const fields = (data ?? {}) as Record<string, unknown>;
    // Told as ajv tells a value of the wrong type, so every face words it as it words that.
    const issues = numeric
      .filter(({ name, type }) => typeof fields[name] === 'string' && !DECIMAL[type]!.test(fields[name]))
      .map(({ name, type }): ValidationIssue => ({ instancePath: `/${name}`, schemaPath: `#/properties/${name}/type`, keyword: 'type', params: { type }, message: `must be ${type}` }));
    check.errors = issues.length > 0 ? issues : null;
    if (issues.length > 0) return false;
    const valid = validate(data) as boolean;
    check.errors = validate.errors ?? null;
    return valid;
  };
  check.errors = null as Validate['errors'];
  return check;
}
