import { Type } from 'typebox';
import { PaymentDeclinedError } from '../../core/errors.js';
import type { ErrorEnvelope } from '../../http/error-handler.js';
import { PARSER_STATUSES } from '../../http/client-errors.js';

/** The Coord face's error body: a human message, a machine code, and the fields at fault. */
export const CoordError = Type.Object(
  {
    status: Type.Integer({ description: 'The HTTP status, repeated' }),
    code: Type.String({ description: 'Stable machine-readable code (UPPER_SNAKE), e.g. VALIDATION_FAILED, INVALID_TOKEN, TEST_USER_NOT_ALLOWED' }),
    message: Type.String({ description: 'What went wrong, for a person' }),
    request_id: Type.String({ description: 'Quote it when reporting a problem; it is on every log line of the request' }),
    fields: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'JSON pointer of the field at fault (query fields under /query/…)' }),
          message: Type.String(),
        }),
      ),
    ),
    decline_code: Type.Optional(Type.String({ description: 'With CARD_DECLINED: why the card was declined' })),
  },
  { $id: 'CoordError', title: 'CoordError', description: 'Every error of the Coord-compatible Users API' },
);

export const coordEnvelope: ErrorEnvelope = (error, request) => ({
  status: error.statusCode,
  code: error.code,
  message: error.message,
  request_id: request.id,
  ...(error.details ? { fields: error.details.map((d) => ({ field: d.path, message: d.message })) } : {}),
  ...(error instanceof PaymentDeclinedError ? { decline_code: error.declineCode } : {}),
});

const errorRef = Type.Ref('CoordError');

/** The error statuses a Coord route can answer (and those of Node's HTTP parser), all in the Coord envelope. */
export function coordErrors(...statuses: number[]) {
  return Object.fromEntries([...statuses, ...PARSER_STATUSES].map((status) => [status, errorRef]));
}
