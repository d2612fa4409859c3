/** Emails are compared trimmed and lowercased everywhere, so "A@x.io " and "a@x.io" are one account. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

// RFC 5321's dot-atom local part (no leading, trailing or doubled dot), ASCII domain labels, and a
// last label Stripe takes (two letters or more, or a punycode xn-- label): an address paybridge
// accepts must never be refused by Stripe when its customer is made at the first payment.
const EMAIL_ADDRESS =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z]{2,}|xn--[a-z0-9-]*[a-z0-9])$/i;

/** The largest email address there is (RFC 5321's path limit, less its angle brackets). */
export const EMAIL_MAX_LENGTH = 254;

/**
 * The one email rule of every face (the `email` format of request schemas, whose own maxLength
 * says when one is too long) and of partner tokens' claims.
 */
export function isEmailAddress(value: string): boolean {
  return EMAIL_ADDRESS.test(value.trim());
}
