/** Values shared by the examples, shaped like what the service really returns. */
export const sample = {
  userId: '01a230f2-0ebb-7a20-92d4-e2c4099f7dfc',
  otherUserId: '01a230f2-1106-72ab-8588-936f256f7e70',
  apiKeyId: '01a230f2-1051-7d52-ba71-bf334b568489',
  customerId: 'cus_Q2k1yzNtHd6hUj',
  paymentIntentId: 'pi_TJmGgGoxbDlYCxBBBk3N3Y2S',
  paymentMethodId: 'pm_card_visa',
  setupIntentId: 'seti_1SNZDLKAXrtjbq2duGldHsHf',
  cuid: 'cjld2cjxh0000qzrmn831i7rn',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMWEyMzBmMi0wZWJiLTdhMjAtOTJkNC1lMmM0MDk5ZjdkZmMiLCJhdWQiOiJwYXlicmlkZ2UtYXBpIiwiaXNzIjoicGF5YnJpZGdlIn0.jfKEsgydCEopEiPEcogGokBtxzbeK68q8ISdfJEJ-rY',
  requestId: 'req_pJRcwtsX8',
  createdAt: '2026-12-01T09:31:39.986Z',
  updatedAt: '2026-12-01T09:45:02.114Z',
};

export const nativeUser = {
  userId: sample.userId,
  userName: 'Alan Turing',
  email: 'aturing@gmail.com',
  customerId: sample.customerId,
};

export const nativePayment = {
  id: sample.paymentIntentId,
  amount: 2000,
  currency: 'usd',
  status: 'succeeded',
  paymentMethod: sample.paymentMethodId,
};

export const nativeRefund = {
  id: 're_3QxR7mKAXrtjbq2d1WbC0tE4',
  paymentId: sample.paymentIntentId,
  amount: 500,
  currency: 'usd',
  status: 'succeeded',
  reason: 'requested_by_customer',
  createdAt: sample.updatedAt,
};

/** A payment as GET /payment/{id} shows it: seed 003's fields and what the money lifecycle adds. */
export const nativePaymentView = { ...nativePayment, amountReceived: 2000, amountRefunded: 0, refunds: [], dispute: null };

export const shippingAddress = {
  addressLine1: '1600 Pennsylvania Avenue NW',
  addressLine2: '',
  city: 'Washington',
  state: 'DC',
  country: 'US',
  postalCode: '20500',
};

export const citiBike = {
  systemId: 'CitiBike',
  name: 'Citi Bike',
  linkedAccountRequired: true,
  linkUrl: 'https://citibike.example/link',
  jwtClaims: [],
  usersApiFields: ['stripe_info.stripe_customer_id'],
};
