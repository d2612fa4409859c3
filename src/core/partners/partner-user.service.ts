import type { Vehicle } from '../vehicles/vehicle.js';
import { InvalidCardTokenError, NotFoundError, ProviderRejectedError, TestUserError } from '../errors.js';
import type { PaymentProfileService } from '../payment-profiles/payment-profile.service.js';
import type { TransactableSystemService } from '../transactable-systems/transactable-system.service.js';
import { stripeInfoCustomerId } from '../transactable-systems/transactability.js';
import type { UserRecord } from '../users/user.repository.js';
import type { UserService } from '../users/user.service.js';
import { normaliseVehicle, type LicensePlateInput } from '../vehicles/vehicle.js';

/** Everything Coord's GET /user/current shows of a user. */
export interface PartnerUserView {
  email: string;
  name: string | null;
  isTest: boolean;
  vehicle: Vehicle | null;
  stripeCustomerId: string | null;
  links: Array<{ systemId: string; linked: boolean }>;
}

/** What a partner's user does to itself: read its data, set its vehicle, give a card for Stripe. */
export function createPartnerUserService(deps: { users: UserService; profiles: PaymentProfileService; systems: TransactableSystemService }) {
  return {
    async describe(user: UserRecord): Promise<PartnerUserView> {
      const [links, profile] = await Promise.all([deps.systems.linksOf(user), deps.profiles.findProfile(user.id)]);
      return {
        email: user.email,
        name: user.userName || null,
        isTest: user.isTest,
        vehicle: user.vehicle ?? null,
        stripeCustomerId: stripeInfoCustomerId(profile, user.isTest),
        links,
      };
    },

    async setVehicle(user: UserRecord, input: { license_plate: LicensePlateInput }): Promise<Vehicle> {
      const vehicle = normaliseVehicle(input);
      await deps.users.updateUserFields(user, { vehicle });
      return vehicle;
    },

    /**
     * Coord's stripe_info: the token becomes the default card of the user's Stripe customer
     * (made once). Test users are refused, as Coord documents, so they never hold a live card.
     */
    async setStripeCardToken(user: UserRecord, token: string): Promise<{ customerId: string }> {
      if (user.isTest) {
        throw new TestUserError('Test users cannot set Stripe info: systems that require stripe_info have no test transactions');
      }
      try {
        return await deps.profiles.addCardToken(user, token);
      } catch (error) {
        // The provider's words say which it was (unknown, used, not a card); the field is ours to name.
        const unknownToken = error instanceof NotFoundError && (error.details ?? []).every((d) => d.path === '/source');
        if (unknownToken || error instanceof ProviderRejectedError) {
          throw new InvalidCardTokenError(error.message, [{ path: '/coord_targeted_token', message: 'is unknown, already used, or not a card token' }], { cause: error });
        }
        throw error;
      }
    },
  };
}

export type PartnerUserService = ReturnType<typeof createPartnerUserService>;
