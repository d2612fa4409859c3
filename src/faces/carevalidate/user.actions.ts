import type { Static } from 'typebox';
import type { Services } from '../../http/app-context.js';
import { EmailTakenError, NotFoundError } from '../../core/errors.js';
import { assertPartnerMayActOn } from '../../core/users/user-authority.js';
import type { UserRecord } from '../../core/users/user.repository.js';
import { success } from './envelope.js';
import type { CreateUserBody, UpdateEmailBody } from './schemas.js';
import { PROFILE_FIELDS, toCareValidateUser } from './user-view.js';

async function viewOfUser(services: Services, user: UserRecord) {
  return toCareValidateUser(user, services.profiles.toView(await services.profiles.findProfile(user.id)));
}

/** CareValidate's own words for the core's "email taken". */
async function refusingTakenEmail<T>(email: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof EmailTakenError) throw new EmailTakenError(`User ${email.trim()} already exists`, undefined, { cause: error });
    throw error;
  }
}

function profileOf(body: Static<typeof CreateUserBody>): Record<string, string> {
  const entries = PROFILE_FIELDS.flatMap((field) => (body[field] === undefined ? [] : [[field, body[field].trim()] as const]));
  return Object.fromEntries(entries);
}

/** The name the Stripe customer will carry: the person's name, or the email when there is none. */
function displayName(profile: Record<string, string>, email: string): string {
  return [profile.firstName, profile.lastName].filter(Boolean).join(' ') || email.trim();
}

/** The user CareValidate names by email: it must exist and be one its partner side vouches for (see user-authority.ts). */
export async function careValidateUser(services: Services, organisationId: string, email: string): Promise<UserRecord> {
  const user = await services.users.findUserByEmail(organisationId, email);
  if (!user) throw new NotFoundError(`User ${email.trim()} does not exist`);
  assertPartnerMayActOn(user, 'carevalidate');
  return user;
}

export async function createUser(services: Services, organisationId: string, body: Static<typeof CreateUserBody>) {
  const profile = profileOf(body);
  const user = await refusingTakenEmail(body.email, () =>
    services.users.provisionUser(organisationId, { userName: displayName(profile, body.email), email: body.email, profile }),
  );
  return success(201, { code: 'USER_CREATED' as const, user: await viewOfUser(services, user) });
}

export async function updateEmail(services: Services, organisationId: string, body: Static<typeof UpdateEmailBody>) {
  const user = await careValidateUser(services, organisationId, body.currentEmail);
  // The core keeps the Stripe customer's email in step (a listener on user changes).
  const updated = await refusingTakenEmail(body.newEmail, () => services.users.updateUserFields(user, { email: body.newEmail }));
  return success(200, { code: 'EMAIL_UPDATED' as const, user: await viewOfUser(services, updated) });
}
