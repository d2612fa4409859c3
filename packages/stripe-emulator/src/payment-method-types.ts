import { invalidRequest } from './errors.js';
import { strArray, type Parser } from './params.js';

/** The payment method types Stripe knows (its API reference, payment_method_types). */
const KNOWN_TYPES = new Set([
  'acss_debit', 'affirm', 'afterpay_clearpay', 'alipay', 'alma', 'amazon_pay', 'au_becs_debit', 'bacs_debit', 'bancontact', 'billie',
  'blik', 'boleto', 'card', 'card_present', 'cashapp', 'crypto', 'customer_balance', 'eps', 'fpx', 'giropay', 'grabpay', 'ideal',
  'interac_present', 'kakao_pay', 'klarna', 'konbini', 'kr_card', 'link', 'mobilepay', 'multibanco', 'naver_pay', 'nz_bank_account',
  'oxxo', 'p24', 'pay_by_bank', 'payco', 'paynow', 'paypal', 'pix', 'promptpay', 'revolut_pay', 'samsung_pay', 'satispay', 'sepa_debit',
  'sofort', 'swish', 'twint', 'us_bank_account', 'wechat_pay', 'zip',
]);

/** A list of payment method types, each one Stripe knows: another is refused as Stripe refuses it. */
export const methodTypeArray = (): Parser<string[] | null | undefined> => (value, param) => {
  const types = strArray()(value, param);
  const unknown = types?.find((type) => !KNOWN_TYPES.has(type));
  if (unknown !== undefined) {
    throw invalidRequest(`The payment method type provided: ${unknown.slice(0, 40)} is invalid. Please ensure the provided type is activated in your dashboard.`, 'payment_intent_invalid_parameter', param);
  }
  return types;
};
