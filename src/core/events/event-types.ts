/** Every event an integrator can subscribe to; `*` subscribes to all, including types added later. */
export const EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deleted',
  'payment.created',
  'payment.requires_action',
  'payment.requires_capture',
  'payment.succeeded',
  'payment.failed',
  'payment.canceled',
  'payment.refunded',
  'payment.refund_failed',
  'payment.dispute.created',
  'payment.dispute.closed',
  'payment_method.updated',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const ALL_EVENTS = '*';
