import type { Config } from './config.js';
import type { AuthenticationService } from './core/auth/authentication.service.js';
import type { OrganisationService } from './core/organisations/organisation.service.js';
import type { UserService } from './core/users/user.service.js';
import type { DatabaseHandle } from './db/client.js';

export interface Services {
  organisations: OrganisationService;
  users: UserService;
  authentication: AuthenticationService;
}

/** Everything a face needs, built once by the composition root. */
export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  services: Services;
  defaultOrganisationId: string;
}
