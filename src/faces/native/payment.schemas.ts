import { Type } from 'typebox';
import { PLAIN_TEXT_FORMAT } from '../../core/users/display-name.js';

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
    description: Type.Optional(Type.String({ maxLength: 1000, format: PLAIN_TEXT_FORMAT, description: 'Shown on receipts and in Stripe: one line, no control, bidirectional-override or invisible characters.' })),
    captureMethod: Type.Optional(
      Type.Union([Type.Literal('automatic'), Type.Literal('manual')], {
        description: '`automatic` (default): a confirmed payment is charged at once. `manual`: it stops at `requires_capture` (the card is only authorised) until `POST /payment/{id}/capture`.',
      }),
    ),
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

export const RefundDto = Type.Object(
  {
    id: Type.String({ description: "Stripe's refund id (re_…)." }),
    paymentId: Type.String({ description: 'The payment (PaymentIntent id) refunded.' }),
    amount: Type.Integer({ description: 'Minor units refunded.' }),
    currency: Type.String(),
    status: Type.String({ description: "Stripe's refund status: pending, requires_action, succeeded, failed or canceled. A refund can fail after it was answered succeeded (e.g. the card was closed)." }),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'duplicate, fraudulent, requested_by_customer, or null.' }),
    createdAt: Type.String({ format: 'date-time' }),
    failureReason: Type.Optional(Type.String({ description: 'With status failed: why (e.g. expired_or_canceled_card).' })),
  },
  { additionalProperties: false, title: 'RefundDto' },
);

export const DisputeDto = Type.Object(
  {
    status: Type.String({ description: "Stripe's dispute status: warning_needs_response, needs_response, under_review, won, lost, …" }),
    amount: Type.Integer({ description: 'Minor units disputed.' }),
    reason: Type.String({ description: 'Why the cardholder disputes the charge (fraudulent, duplicate, product_not_received, …).' }),
    evidenceDueBy: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'By when evidence must reach Stripe.' }),
  },
  { additionalProperties: false, title: 'DisputeDto' },
);

export const ReturnPaymentDto = Type.Object(
  {
    ...paymentFields,
    nextActionUrl: Type.Optional(Type.String({ description: 'With status requires_action: the page the customer must open to authenticate (3-D Secure).' })),
    // Optional in the schema only because an answer stored before they existed is replayed as it was given.
    amountReceived: Type.Optional(Type.Integer({ description: 'Minor units taken: the amount, or the part captured; 0 until then.' })),
    amountRefunded: Type.Optional(Type.Integer({ description: 'Minor units refunded (refunds that failed do not count).' })),
    refunds: Type.Optional(Type.Array(RefundDto, { description: 'The refunds, oldest first, including those made at Stripe directly.' })),
    dispute: Type.Optional(Type.Union([DisputeDto, Type.Null()], { description: 'The dispute of the charge, if the cardholder opened one.' })),
  },
  { additionalProperties: false, title: 'ReturnPaymentDto' },
);

const amount = (description: string) => Type.Integer({ minimum: 1, maximum: 99_999_999, description });

export const CapturePaymentDto = Type.Object(
  { amount: Type.Optional(amount('Minor units to capture, at most the authorised amount (default: all of it); the rest is released.')) },
  { additionalProperties: false, title: 'CapturePaymentDto' },
);

export const CancelPaymentDto = Type.Object(
  {
    reason: Type.Optional(
      Type.Union([Type.Literal('duplicate'), Type.Literal('fraudulent'), Type.Literal('requested_by_customer'), Type.Literal('abandoned')], { description: "Stripe's cancellation reason." }),
    ),
  },
  { additionalProperties: false, title: 'CancelPaymentDto' },
);

export const CreateRefundDto = Type.Object(
  {
    cuid: Type.String({
      pattern: '^[\\x21-\\x7E]{1,255}$',
      description: 'Identifies this refund (the idempotency key): a retry with the same cuid and body refunds once and answers the same; the same cuid with another body is a 409.',
    }),
    amount: Type.Optional(amount('Minor units to refund (default: all that is left).')),
    reason: Type.Optional(Type.Union([Type.Literal('duplicate'), Type.Literal('fraudulent'), Type.Literal('requested_by_customer')])),
  },
  { additionalProperties: false, title: 'CreateRefundDto' },
);

export const PaymentCreatedDto = Type.Object(
  { ...paymentFields, clientSecret: Type.String({ description: 'Client secret for the payment intent.' }) },
  { additionalProperties: false, title: 'PaymentCreatedDto' },
);

export const PaymentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
