/** When a confirmed payment's money is taken: at once, or when the organisation captures it. */
export type CaptureMethod = 'automatic' | 'manual';
