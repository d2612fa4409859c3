import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext, Services } from '../../http/app-context.js';
import { authOf } from '../../http/auth.js';
import { asInvalidRequest } from './envelope.js';
import { updatePaymentInfo } from './payment-info.action.js';
import { ActionBody, CvApiKeyHeader, failureResponses, tags, UserCreatedResponse, UserUpdatedResponse, type ActionBodyInput } from './schemas.js';
import { createUser, updateEmail } from './user.actions.js';

function perform(services: Services, organisationId: string, body: ActionBodyInput) {
  switch (body.action) {
    case 'CREATE_USER':
      return createUser(services, organisationId, body);
    case 'UPDATE_EMAIL':
      return updateEmail(services, organisationId, body);
    case 'UPDATE_PAYMENT_INFO':
      return updatePaymentInfo(services, organisationId, body);
  }
}

/** POST /api/v1/users: one route, the action in the body (as CareValidate has it). */
export const userActionRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/', {
    schema: {
      tags,
      summary: 'Create a user, change its email, or set its payment method and shipping address',
      description: [
        '`action` chooses the shape of the body:',
        '- `CREATE_USER`: `email` (unique in the organisation) and optional `firstName`, `lastName`, `phone`, `dob`, `gender`. Answers 201 `USER_CREATED` with the user.',
        '- `UPDATE_EMAIL`: `currentEmail`, `newEmail`; the Stripe customer\'s email follows. Answers 200 `EMAIL_UPDATED` with the user.',
        '- `UPDATE_PAYMENT_INFO`: `email` and `data` {`stripeSetupId`, `nmiPaymentToken`, `shippingAddress`}. The SetupIntent must have succeeded and its payment method must be free or already the user\'s; it becomes the default of the user\'s Stripe customer. The NMI token is stored encrypted and never returned. Repeating the call is harmless. Answers 200 `PAYMENT_SETUP_UPDATED`.',
        '',
        'Any refusal is a 400 `{"status": 400, "success": false, "message": "Invalid request", "error": "…"}` naming the field at fault or the reason (e.g. `User john@example.com does not exist`, `No such setupintent: \'seti_…\'`). A Stripe outage is a 503 in the same envelope: nothing was stored, retry the same request.',
      ].join('\n'),
      headers: CvApiKeyHeader,
      body: ActionBody,
      response: { 200: UserUpdatedResponse, 201: UserCreatedResponse, ...failureResponses(400, 413, 415, 503) },
    },
  }, async (request, reply) => {
    const { organisationId } = authOf(request).principal;
    try {
      const answer = await perform(ctx.services, organisationId, request.body);
      return answer.status === 201 ? reply.code(201).send(answer) : reply.code(200).send(answer);
    } catch (error) {
      throw asInvalidRequest(error);
    }
  });
};
