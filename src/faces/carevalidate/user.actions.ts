import type { Static } from 'typebox';
import type { Services } from '../../app-context.js';
import { EmailTakenError, NotFoundError } from '../../core/errors.js';
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

export async function createUser(services: Services, organisationId: string, body: Static<typeof CreateUserBody>) {
  const profile = profileOf(body);
  const user = await refusingTakenEmail(body.email, () =>
    services.users.provisionUser(organisationId, { userName: displayName(profile, body.email), email: body.email, profile }),
  );
  return success(201, { code: 'USER_CREATED' as const, user: await viewOfUser(services, user) });
}

export async function updateEmail(services: Services, organisationId: string, body: Static<typeof UpdateEmailBody>) {
  const user = await services.users.findUserByEmail(organisationId, body.currentEmail);
  if (!user) throw new NotFoundError(`User ${body.currentEmail.trim()} does not exist`);
  // The core keeps the Stripe customer's email in step (a listener on user changes).
  const updated = await refusingTakenEmail(body.newEmail, () => services.users.updateUserFields(user, { email: body.newEmail }));
  return success(200, { code: 'EMAIL_UPDATED' as const, user: await viewOfUser(services, updated) });
}
