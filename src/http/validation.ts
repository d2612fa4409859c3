import { Ajv, type Options } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import type { FastifySchema } from 'fastify';
import type { FastifySchemaCompiler } from 'fastify/types/schema.js';
import { DISPLAY_NAME_FORMAT, isDisplayName } from '../core/users/display-name.js';
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
  return ajv;
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
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
