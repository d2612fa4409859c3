import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../http/app-context.js';
import type { PartnerUserView } from '../../core/partners/partner-user.service.js';
import { partnerUserOf, requireUser } from './coord.auth.js';
import { coordErrors } from './coord.envelope.js';
import { AccessKeyHeaders, AccessKeyQuery, CurrentUser, StripeInfoRequest, StripeInfoResponse, tags, userJwtSecurity, Vehicle } from './coord.schemas.js';

function toCurrentUser(view: PartnerUserView) {
  return {
    email: view.email,
    ...(view.name !== null ? { name: view.name } : {}),
    is_test: view.isTest,
    vehicle: view.vehicle,
    stripe_info: { stripe_customer_id: view.stripeCustomerId },
    transactable_systems: view.links.map((link) => ({ system_id: link.systemId, linked_account: link.linked })),
  };
}

/** The current user (the one the JWT names): read it, set its vehicle, give its card for Stripe. */
export const currentUserRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { partnerUsers } = ctx.services;
  app.addHook('onRequest', requireUser(ctx.services));
  const common = { tags, security: userJwtSecurity, querystring: AccessKeyQuery, headers: AccessKeyHeaders };

  app.get('/user/current', {
    schema: {
      ...common,
      summary: 'Get the current user',
      description: 'Email and name come from the JWT; the vehicle is what was set through this API; one entry per transactable system of the organisation.',
      response: { 200: CurrentUser, ...coordErrors(401, 403) },
    },
  }, async (request) => toCurrentUser(await partnerUsers.describe(partnerUserOf(request).user)));

  const vehicleSchema = (summary: string) => ({
    ...common,
    summary,
    description: 'Plate text, country (ISO 3166-1 alpha-2) and subdivision (ISO 3166-2) are validated; the stored form (upper-cased, "US-NY" as "NY") is echoed.',
    body: Vehicle,
    response: { 200: Vehicle, ...coordErrors(400, 401, 403, 415) },
  });
  app.put('/user/current/vehicle', { schema: vehicleSchema("Set the current user's vehicle") }, async (request) =>
    partnerUsers.setVehicle(partnerUserOf(request).user, request.body),
  );
  // The overview prose's spelling of the same call.
  app.post('/user/current/update_vehicle', { schema: vehicleSchema("Set the current user's vehicle (the prose's spelling)") }, async (request) =>
    partnerUsers.setVehicle(partnerUserOf(request).user, request.body),
  );

  app.post('/user/current/stripe_info', {
    schema: {
      ...common,
      summary: "Update the user's Stripe payment info",
      description:
        'The token becomes a card of the Stripe customer paybridge keeps for this user (created on first use, exactly once) and its default. ' +
        'Test users are refused (403 TEST_USER_NOT_ALLOWED), as Coord documents; an unknown or used token is a 400 INVALID_CARD_TOKEN.',
      body: StripeInfoRequest,
      response: { 200: StripeInfoResponse, ...coordErrors(400, 401, 402, 403, 415, 503) },
    },
  }, async (request) => {
    const token = request.body.coord_targeted_token;
    const { customerId } = await partnerUsers.setStripeCardToken(partnerUserOf(request).user, token);
    return { coord_targeted_token: token, customer_id: customerId };
  });
};
