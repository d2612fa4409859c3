import type { FastifyReply } from 'fastify';

/** Sends JSON that was serialised earlier (an idempotent replay must be the same bytes). */
export function sendSerializedJson(reply: FastifyReply, statusCode: number, json: string): FastifyReply {
  return reply
    .code(statusCode)
    .type('application/json; charset=utf-8')
    .serializer((payload: unknown) => payload as string)
    .send(json);
}
