import { Type } from 'typebox';
import { PARSER_STATUSES } from '../../http/client-errors.js';

export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable error code (UPPER_SNAKE)' }),
    message: Type.String(),
    requestId: Type.String({ description: 'Quote it when reporting a problem; it is on every log line of the request' }),
    declineCode: Type.Optional(Type.String({ description: 'With CARD_DECLINED: why the card was declined (e.g. insufficient_funds)' })),
    details: Type.Optional(
      Type.Array(Type.Object({ path: Type.String({ description: 'JSON pointer of the field at fault' }), message: Type.String() })),
    ),
  },
  { $id: 'NativeError', title: 'Error' },
);

const errorRef = Type.Ref('NativeError');

/** The error statuses a route can answer (and those of Node's HTTP parser), all in the native envelope. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries([...statuses, ...PARSER_STATUSES].map((status) => [status, errorRef]));
}

export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'Page size (1-100)' }),
    starting_after: Type.Optional(Type.String({ maxLength: 64, description: 'Id of the last item of the previous page' })),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const bearerSecurity = [{ bearerAuth: [] }];
