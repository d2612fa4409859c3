import { careValidateDocs } from './carevalidate.docs.js';
import { adminDocs } from './admin.docs.js';
import { coordDocs } from './coord.docs.js';
import { faceOf, ROUTE_SECURITY_SCHEME, securityOf, tagOf } from './faces.js';
import { errorDocs } from './errors.docs.js';
import { nativeDocs } from './native.docs.js';
import type { OperationDocs, ResponseDocs } from './types.js';

const DOCS = { ...nativeDocs, ...adminDocs, ...coordDocs, ...careValidateDocs };

interface MediaObject {
  schema?: unknown;
  example?: unknown;
  examples?: unknown;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, MediaObject>;
  headers?: Record<string, unknown>;
}
interface Operation {
  tags?: string[];
  security?: unknown;
  parameters?: Array<{ in: string; required?: boolean; schema?: { default?: unknown } }>;
  requestBody?: { content?: Record<string, MediaObject> };
  responses?: Record<string, ResponseObject>;
}
type PathItem = Record<string, Operation>;

/**
 * Adds what the route schemas cannot say: realistic examples, a description for every response,
 * each face's section and auth scheme. Kept here, keyed by method and path, so route files stay
 * about behaviour (and merge easily).
 */
export function documentOperations<T extends { paths?: object; components?: { securitySchemes?: object } }>(openapi: T): T {
  if (openapi.components?.securitySchemes) delete (openapi.components.securitySchemes as Record<string, unknown>)[ROUTE_SECURITY_SCHEME];
  // The generated document's own types are too wide to walk; these are the parts this file touches.
  const paths = (openapi.paths ?? {}) as Record<string, PathItem | undefined>;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item ?? {})) documentOperation(`${method.toUpperCase()} ${path}`, path, operation);
  }
  return openapi;
}

function documentOperation(key: string, path: string, operation: Operation): void {
  const face = faceOf(path);
  const docs: OperationDocs = DOCS[key] ?? { responses: {} };
  operation.tags = operation.tags?.map((tag) => tagOf(face, tag));
  if (operation.security || face === 'carevalidate') operation.security = securityOf(face, path);
  for (const parameter of operation.parameters ?? []) {
    // A parameter with a default may be left out; fastify-swagger marks it required all the same.
    if (parameter.in === 'query' && parameter.schema?.default !== undefined) parameter.required = false;
  }
  for (const media of Object.values(operation.requestBody?.content ?? {})) Object.assign(media, docs.request);
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const found = docs.responses[status] ?? errorDocs(face, status, docs.errors?.[status]);
    if (found) describeResponse(response, found);
  }
}

function describeResponse(response: ResponseObject, docs: ResponseDocs): void {
  response.description = docs.description;
  if (docs.location !== undefined) {
    delete response.content;
    response.headers = { Location: { description: 'Where the browser goes next', schema: { type: 'string', format: 'uri', example: docs.location } } };
    return;
  }
  if (typeof docs.example === 'string' && response.content) response.content = { 'text/html': { schema: { type: 'string' } } };
  for (const media of Object.values(response.content ?? {})) media.example = docs.example;
}
