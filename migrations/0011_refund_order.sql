-- Stripe's `created` is in whole seconds: two refunds of one second were listed in the order of their
-- random ids. The order they were first recorded in breaks the tie.
ALTER TABLE "refunds" ADD COLUMN "recorded_order" bigint GENERATED ALWAYS AS IDENTITY NOT NULL;
