import type { FastifySchema } from 'fastify';
import type { FastifyRouteSchemaDef, FastifySchemaCompiler, FastifySchemaValidationError, FastifyValidationResult } from 'fastify/types/schema.js';
import { ValidationError, type AppError, type ErrorDetail } from '../../core/errors.js';
import { BIRTH_DATE_FORMAT, validatorCompiler } from '../../http/validation.js';
import { DISPLAY_NAME_FORMAT, DISPLAY_NAME_RULE, PLAIN_TEXT_FORMAT, PLAIN_TEXT_RULE } from '../../core/users/display-name.js';
import { describeDetails } from './envelope.js';

/**
 * Validation for this face: the same Ajv set-up as the rest of the service, but the answer
 * names the field at fault in words a client developer can act on ("data.shippingAddress.state
 * is required"), and a body that is a union on `action` is checked in two steps, so a bad
 * action says "action must be one of …" instead of listing the faults of every variant.
 */

/** Marks a Type.Union whose variants are told apart by the named property (a const in each). */
export const DISCRIMINATOR = 'x-discriminator';

/** How a `pattern` failure reads, by pattern: a regular expression means nothing to most clients. */
export const PATTERN_MESSAGES = new Map<string, string>();

const MAX_REPORTED_PROBLEMS = 10;
const MAX_FIELD_NAME = 64;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', object: 'an object', integer: 'an integer', number: 'a number', boolean: 'a boolean', array: 'an array', null: 'null',
};
const FORMAT_MESSAGES: Record<string, string> = {
  email: 'must be an email address',
  date: 'must be a date (YYYY-MM-DD)',
  [BIRTH_DATE_FORMAT]: 'must be a date of birth (YYYY-MM-DD, from 1900 to today)',
  [DISPLAY_NAME_FORMAT]: DISPLAY_NAME_RULE,
  [PLAIN_TEXT_FORMAT]: PLAIN_TEXT_RULE,
};

function issueMessage(issue: FastifySchemaValidationError): string {
  const { params } = issue;
  switch (issue.keyword) {
    case 'required': return 'is required';
    case 'additionalProperties': return 'is not an accepted field';
    case 'type': return `must be ${String(params.type).split(',').map((t) => TYPE_NAMES[t] ?? t).join(' or ')}`;
    case 'minLength': return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`;
    case 'maxLength': return `must be at most ${String(params.limit)} characters`;
    case 'minimum': return `must be at least ${String(params.limit)}`;
    case 'maximum': return `must be at most ${String(params.limit)}`;
    case 'format': return FORMAT_MESSAGES[String(params.format)] ?? `must be a valid ${String(params.format)}`;
    case 'pattern': return PATTERN_MESSAGES.get(String(params.pattern)) ?? 'has an invalid format';
    case 'const': return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'enum': return `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    default: return issue.message ?? 'is invalid';
  }
}

function issuePath(issue: FastifySchemaValidationError): string {
  const child = issue.keyword === 'required' ? issue.params.missingProperty : issue.keyword === 'additionalProperties' ? issue.params.additionalProperty : undefined;
  // A client-chosen property name is echoed back: keep it short.
  return child === undefined ? issue.instancePath : `${issue.instancePath}/${String(child).slice(0, MAX_FIELD_NAME)}`;
}

function toDetails(issues: readonly FastifySchemaValidationError[]): ErrorDetail[] {
  // anyOf adds a summary on top of the specific issues; the specific ones say more.
  const specific = issues.filter((i) => i.keyword !== 'anyOf' && i.keyword !== 'oneOf');
  const details = (specific.length > 0 ? specific : issues).map((issue) => ({ path: issuePath(issue), message: issueMessage(issue) }));
  const unique = details.filter((d, i) => details.findIndex((o) => o.path === d.path && o.message === d.message) === i);
  return unique.slice(0, MAX_REPORTED_PROBLEMS);
}

export function invalidRequest(details: ErrorDetail[]): { error: AppError } {
  // The message is what the log line says; it names fields, never their values.
  return { error: new ValidationError(describeDetails(details), details) };
}

function compileShape(route: FastifyRouteSchemaDef<FastifySchema>, schema: unknown): FastifyValidationResult {
  const validate = validatorCompiler({ ...route, schema: schema as FastifySchema });
  return (data: unknown) => (validate(data) === true ? { value: data } : invalidRequest(toDetails(validate.errors ?? [])));
}

interface DiscriminatedSchema {
  [DISCRIMINATOR]: string;
  anyOf: Array<{ properties: Record<string, { const?: unknown }> }>;
}

function isDiscriminated(schema: unknown): schema is DiscriminatedSchema {
  const candidate = schema as Partial<DiscriminatedSchema> | null;
  return typeof candidate?.[DISCRIMINATOR] === 'string' && Array.isArray(candidate.anyOf);
}

function compileDiscriminated(route: FastifyRouteSchemaDef<FastifySchema>, union: DiscriminatedSchema): FastifyValidationResult {
  const property = union[DISCRIMINATOR];
  const variants = new Map(union.anyOf.map((variant) => [String(variant.properties[property]?.const), compileShape(route, variant)]));
  const choices = `must be one of ${[...variants.keys()].join(', ')}`;
  return (body: unknown) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalidRequest([{ path: '', message: 'must be a JSON object' }]);
    const tag = (body as Record<string, unknown>)[property];
    if (tag === undefined) return invalidRequest([{ path: `/${property}`, message: 'is required' }]);
    const validate = typeof tag === 'string' ? variants.get(tag) : undefined;
    return validate ? validate(body) : invalidRequest([{ path: `/${property}`, message: choices }]);
  };
}

/** Installed on this face's scope with setValidatorCompiler. */
export const careValidateValidatorCompiler: FastifySchemaCompiler<FastifySchema> = (route) =>
  isDiscriminated(route.schema) ? compileDiscriminated(route, route.schema) : compileShape(route, route.schema);
