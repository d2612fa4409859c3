import type { FastifyError } from 'fastify';
import { isUniqueViolation } from '../db/client.js';
import {
  AppError,
  ConflictError,
  InternalError,
  MalformedBodyError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  type ErrorDetail,
} from '../core/errors.js';

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const PART_PREFIX: Record<string, string> = { body: '', querystring: '/query', params: '/params', headers: '/headers' };

function issuePath(issue: AjvIssue, part: string): string {
  let path = issue.instancePath;
  if (issue.keyword === 'required') path += `/${String(issue.params.missingProperty)}`;
  if (issue.keyword === 'additionalProperties') path += `/${String(issue.params.additionalProperty)}`;
  return `${PART_PREFIX[part] ?? ''}${path}` || '/';
}

function issueMessage(issue: AjvIssue): string {
  if (issue.keyword === 'additionalProperties') return 'is not an accepted field';
  if (issue.keyword === 'required') return 'is required';
  return issue.message ?? 'is invalid';
}

export function validationDetails(issues: AjvIssue[], part: string): ErrorDetail[] {
  // anyOf/oneOf add a summary issue on top of the specific ones; the specific ones say more.
  const specific = issues.filter((i) => i.keyword !== 'anyOf' && i.keyword !== 'oneOf');
  return (specific.length > 0 ? specific : issues).map((issue) => ({ path: issuePath(issue, part), message: issueMessage(issue) }));
}

/**
 * The one place any thrown thing becomes an AppError: catalogue errors pass through,
 * Fastify's own client errors and unique violations are translated, the rest is a 500
 * whose body says nothing about internals.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as Partial<FastifyError> & { validation?: AjvIssue[]; validationContext?: string };
  if (fastifyError.validation) {
    const details = validationDetails(fastifyError.validation, fastifyError.validationContext ?? 'body');
    return new ValidationError('The request is invalid', details);
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new MalformedBodyError();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new UnsupportedMediaTypeError();
  }
  if (error instanceof SyntaxError) return new MalformedBodyError();
  if (isUniqueViolation(error)) return new ConflictError();
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(fastifyError.code ?? 'BAD_REQUEST', status, 'The request could not be processed');
  }
  return new InternalError();
}
