import type { Config } from './config.js';
import type { AuthenticationService } from './core/auth/authentication.service.js';
import type { SecretBox } from './core/crypto/secret-box.js';
import type { OrganisationService } from './core/organisations/organisation.service.js';
import type { OrganisationSettingsService } from './core/partners/organisation-settings.service.js';
import type { PartnerIdentityService } from './core/partners/partner-identity.service.js';
import type { PartnerUserService } from './core/partners/partner-user.service.js';
import type { PaymentProfileService } from './core/payment-profiles/payment-profile.service.js';
import type { PaymentService } from './core/payments/payment.service.js';
import type { Reconciler } from './core/payments/reconcile.js';
import type { StripeEventService } from './core/payments/stripe-event.service.js';
import type { AccountLinkingService } from './core/transactable-systems/account-linking.service.js';
import type { TransactableSystemService } from './core/transactable-systems/transactable-system.service.js';
import type { UserDirectory } from './core/users/user-directory.js';
import type { UserService } from './core/users/user.service.js';
import type { DatabaseHandle } from './db/client.js';

export interface Services {
  organisations: OrganisationService;
  users: UserService;
  userDirectory: UserDirectory;
  authentication: AuthenticationService;
  profiles: PaymentProfileService;
  payments: PaymentService;
  reconciler: Reconciler;
  stripeEvents: StripeEventService;
  secretBox: SecretBox;
  /** Partner faces (Coord): redirect URIs and identity providers per organisation. */
  partnerSettings: OrganisationSettingsService;
  partnerIdentity: PartnerIdentityService;
  partnerUsers: PartnerUserService;
  transactableSystems: TransactableSystemService;
  accountLinking: AccountLinkingService;
}

/** Everything a face needs, built once by the composition root. */
export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  services: Services;
  defaultOrganisationId: string;
}
