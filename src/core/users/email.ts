/** Emails are compared trimmed and lowercased everywhere, so "A@x.io " and "a@x.io" are one account. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
