/** Where one event stands with one endpoint: still owed, delivered, or given up on. */
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';
