import type { FastifyError } from 'fastify';
import { isDatabaseUnavailable, isUniqueViolation } from '../db/client.js';
import { DISPLAY_NAME_FORMAT, DISPLAY_NAME_RULE, EXTERNAL_ID_FORMAT, EXTERNAL_ID_RULE, PLAIN_TEXT_FORMAT, PLAIN_TEXT_RULE } from '../core/users/display-name.js';
import {
  AppError,
  ConflictError,
  InternalError,
  MalformedBodyError,
  PayloadTooLargeError,
  ServiceUnavailableError,
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
  if (issue.keyword === 'format' && issue.params.format === DISPLAY_NAME_FORMAT) return DISPLAY_NAME_RULE;
  if (issue.keyword === 'format' && issue.params.format === PLAIN_TEXT_FORMAT) return PLAIN_TEXT_RULE;
  if (issue.keyword === 'format' && issue.params.format === EXTERNAL_ID_FORMAT) return EXTERNAL_ID_RULE;
  // The accepted values, rather than Ajv's "must be equal to one of the allowed values".
  if (issue.keyword === 'enum') return `must be one of ${(issue.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message ?? 'is invalid';
}

/** A union of literals fails once per literal ("must be equal to constant"): those issues become one enum issue naming every accepted value. */
function mergeLiteralIssues(issues: AjvIssue[]): AjvIssue[] {
  const merged: AjvIssue[] = [];
  const literalsAt = new Map<string, unknown[]>();
  for (const issue of issues) {
    if (issue.keyword !== 'const') {
      merged.push(issue);
      continue;
    }
    const values = literalsAt.get(issue.instancePath);
    if (values) values.push(issue.params.allowedValue);
    else {
      const allowedValues = [issue.params.allowedValue];
      literalsAt.set(issue.instancePath, allowedValues);
      merged.push({ instancePath: issue.instancePath, keyword: 'enum', params: { allowedValues } });
    }
  }
  return merged;
}

// A body of thousands of bad fields answers the first ones: the error must not outgrow the request.
const MAX_DETAILS = 20;

export function validationDetails(issues: AjvIssue[], part: string): ErrorDetail[] {
  // anyOf/oneOf add a summary issue on top of the specific ones; the specific ones say more.
  const specific = issues.filter((i) => i.keyword !== 'anyOf' && i.keyword !== 'oneOf');
  const details = new Map<string, ErrorDetail>();
  for (const issue of mergeLiteralIssues(specific.length > 0 ? specific : issues)) {
    const detail = { path: issuePath(issue, part), message: issueMessage(issue) };
    details.set(`${detail.path} ${detail.message}`, detail);
    if (details.size >= MAX_DETAILS) break;
  }
  return [...details.values()];
}

/**
 * The one place any thrown thing becomes an AppError: catalogue errors pass through,
 * Fastify's own client errors and unique violations are translated, the rest is a 500
 * whose body says nothing about internals.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error.statusCode === 500 && isDatabaseUnavailable(error) ? databaseUnavailable(error) : error;
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
    case 'FST_ERR_BAD_URL':
      return new ValidationError('The URL is not valid: it has a byte or percent-escape that is not UTF-8', [{ path: '/url', message: 'is not valid UTF-8' }]);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('URI_TOO_LONG', 414, 'A path segment of the URL is longer than any id this API uses', [{ path: '/url', message: 'has a path segment over 1000 characters' }]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new UnsupportedMediaTypeError();
  }
  if (error instanceof SyntaxError) return new MalformedBodyError();
  // The client went away while sending its body: its doing, not a dependency's (so no 503, no error-level alert).
  if (isClientAbort(fastifyError)) return new AppError('REQUEST_ABORTED', 400, 'The request body ended before its announced length');
  if (isUniqueViolation(error)) return new ConflictError();
  if (isDatabaseUnavailable(error)) return databaseUnavailable(error);
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own codes (FST_…) are not part of the API: one documented code for the rest.
    return new AppError('BAD_REQUEST', status, 'The request could not be processed');
  }
  return new InternalError();
}

function isClientAbort(error: Partial<FastifyError>): boolean {
  return error.code === 'ECONNRESET' && error.message === 'aborted';
}

// Long enough for a failover or restart, short enough that a client's retry finds it back.
const DATABASE_RETRY_AFTER_SECONDS = '5';

function databaseUnavailable(cause: unknown): AppError {
  return new ServiceUnavailableError('The database is unavailable; retry shortly', undefined, {
    headers: { 'retry-after': DATABASE_RETRY_AFTER_SECONDS },
    cause,
  });
}
