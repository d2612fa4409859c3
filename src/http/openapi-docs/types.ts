/** What the docs add to one operation: a request example and, per status, a description and an example. */
export interface OperationDocs {
  /** One example body, or several named ones (a body whose shape depends on a field). */
  request?: { example: unknown } | { examples: Record<string, { summary: string; value: unknown }> };
  responses: Record<string, ResponseDocs>;
  /** An error status whose code and message differ, on this operation, from the face's usual ones. */
  errors?: Record<string, ErrorOverride>;
}

export interface ErrorOverride {
  description: string;
  code: string;
  message: string;
}

export interface ResponseDocs {
  description: string;
  /** The body; absent for a response without one (204, a redirect). */
  example?: unknown;
  /** A redirect's Location, documented as a header. */
  location?: string;
}

/** Keyed by `METHOD /path` as in /openapi.json, e.g. `POST /payment` or `GET /user/{id}`. */
export type DocsTable = Record<string, OperationDocs>;
