import type { PaymentProfileView } from '../../core/payment-profiles/payment-profile.service.js';
import type { UserRecord } from '../../core/users/user.repository.js';
import type { UserViewOutput } from './schemas.js';

/** The profile fields this face reads and writes; other faces may keep others beside them. */
export const PROFILE_FIELDS = ['firstName', 'lastName', 'phone', 'dob', 'gender'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

function shippingAddressOf(payment: PaymentProfileView): UserViewOutput['shippingAddress'] {
  const address = payment.shippingAddress;
  if (!address) return null;
  const { addressLine1, addressLine2, city, state, country, postalCode } = address;
  return { addressLine1, addressLine2, city, state, country, postalCode };
}

/** A user as CareValidate clients see it: profile, shipping address, and of the card only what identifies it. */
export function toCareValidateUser(user: UserRecord, payment: PaymentProfileView): UserViewOutput {
  const card = payment.defaultPaymentMethod;
  const profileField = (field: ProfileField) => user.profile[field] ?? null;
  return {
    id: user.id,
    email: user.email,
    firstName: profileField('firstName'),
    lastName: profileField('lastName'),
    phone: profileField('phone'),
    dob: profileField('dob'),
    gender: profileField('gender'),
    shippingAddress: shippingAddressOf(payment),
    defaultPaymentMethod: card ? { brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear } : null,
    createdAt: user.createdAt.toISOString(),
    // The user changes with its payment details too (UPDATE_PAYMENT_INFO writes only the profile).
    updatedAt: new Date(Math.max(user.updatedAt.getTime(), payment.updatedAt?.getTime() ?? 0)).toISOString(),
  };
}
