import type { UserRecord } from './user.repository.js';

/** A user as the native API shows it (seed 003's ReturnUserDto), and as user.* events carry it. */
export function toUserView(user: UserRecord) {
  return { userId: user.id, userName: user.userName, email: user.email, ...(user.customerId ? { customerId: user.customerId } : {}) };
}

/** Whether a change shows in the user's view: what an integrator would call an update. */
export const changesUserView = (before: UserRecord, after: UserRecord) => JSON.stringify(toUserView(before)) !== JSON.stringify(toUserView(after));
