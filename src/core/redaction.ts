// Stripe's messages can quote a card token ("You cannot use a Stripe token more than once: tok_…")
// or an object's client secret: either is a credential, so neither is logged nor passed on.
const CARD_CREDENTIALS = /\btok_[A-Za-z0-9]+|_secret_[A-Za-z0-9]+/g;

/** The text with card tokens and client secrets withheld (`tok_[withheld]`, `pi_…_secret_[withheld]`). */
export function withoutCardCredentials(text: string): string {
  return text.replace(CARD_CREDENTIALS, (found) => (found.startsWith('tok_') ? 'tok_[withheld]' : '_secret_[withheld]'));
}
