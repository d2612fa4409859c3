/** A dispute on a payment, as Stripe last reported it. */
export interface PaymentDispute {
  id: string;
  status: string;
  amount: number;
  reason: string;
  evidenceDueBy: string | null;
}
