import { Type } from 'typebox';

const idempotencyKey = Type.String({
  pattern: '^[\\x21-\\x7E]{1,255}$',
  description:
    'CUID (collision resistant id) that identifies the payment attempt. Used as the idempotency key: unique for each payment, constant between retries. An `Idempotency-Key` header may be sent instead.',
});

export const CreatePaymentDto = Type.Object(
  {
    cuid: Type.Optional(idempotencyKey),
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 99_999_999, description: 'In the currency\'s smallest unit (cents). Default: PAYMENT_DEFAULT_AMOUNT.' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code. Default: PAYMENT_DEFAULT_CURRENCY.' })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false, title: 'CreatePaymentDto' },
);

export const ConfirmPaymentDto = Type.Object(
  {
    cuid: idempotencyKey,
    paymentId: Type.String({ pattern: '^pi_[A-Za-z0-9]{1,250}$', description: 'Payment intent id.' }),
    paymentMethodId: Type.String({ pattern: '^pm_[A-Za-z0-9_]{1,250}$', description: 'Payment method id (or a Stripe test value such as pm_card_visa in test mode).' }),
  },
  { additionalProperties: false, title: 'ConfirmPaymentDto' },
);

const paymentFields = {
  id: Type.String({ description: 'Payment Intent ID.' }),
  amount: Type.Integer({ description: 'Amount in cents.' }),
  currency: Type.String({ description: 'Currency code.' }),
  status: Type.String({ description: 'Payment Intent status (requires_payment_method, requires_confirmation, requires_action, processing, requires_capture, succeeded, canceled).' }),
  paymentMethod: Type.String({ description: 'Stripe payment method; empty until one is set.' }),
};

export const ReturnPaymentDto = Type.Object(
  {
    ...paymentFields,
    nextActionUrl: Type.Optional(Type.String({ description: 'With status requires_action: the page the customer must open to authenticate (3-D Secure).' })),
    amountRefunded: Type.Optional(Type.Integer({ description: 'Minor units refunded so far, when any.' })),
  },
  { additionalProperties: false, title: 'ReturnPaymentDto' },
);

export const PaymentCreatedDto = Type.Object(
  { ...paymentFields, clientSecret: Type.String({ description: 'Client secret for the payment intent.' }) },
  { additionalProperties: false, title: 'PaymentCreatedDto' },
);

export const PaymentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
