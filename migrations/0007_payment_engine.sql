CREATE TABLE "payment_operations" (
	"id" text PRIMARY KEY NOT NULL,
	"payment_id" text NOT NULL,
	"kind" text NOT NULL,
	"attempt_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"stripe_idempotency_key" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"response_status" integer,
	"response_body" text,
	"lease_token" text,
	"lease_expires_at" timestamp with time zone,
	"attempts" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payment_operations" ADD CONSTRAINT "payment_operations_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_operations_attempt" ON "payment_operations" USING btree ("payment_id","kind","attempt_key");--> statement-breakpoint
CREATE INDEX "payment_operations_finished" ON "payment_operations" USING btree ("updated_at") WHERE "payment_operations"."state" = 'done' and "payment_operations"."kind" <> 'create';--> statement-breakpoint
-- Every existing payment's creation becomes its 'create' operation, with the answer it already gave.
INSERT INTO "payment_operations" ("id", "payment_id", "kind", "attempt_key", "request_hash", "stripe_idempotency_key", "state", "response_status", "response_body", "lease_expires_at", "created_at", "updated_at")
SELECT 'op_' || "id", "id", 'create', 'create', "request_hash",
	'paybridge-payment-' || "id" || coalesce('-' || "stripe_customer_id", ''),
	CASE WHEN "create_response" IS NULL THEN 'pending' ELSE 'done' END,
	CASE WHEN "create_response" IS NULL THEN NULL ELSE 201 END,
	"create_response", "lease_expires_at", "created_at", "updated_at"
FROM "payments";--> statement-breakpoint
ALTER TABLE "payments" DROP COLUMN "create_response";--> statement-breakpoint
ALTER TABLE "payments" DROP COLUMN "lease_expires_at";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "next_check_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "checks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "dispute" jsonb;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "dispute_event_at" timestamp with time zone;--> statement-breakpoint
UPDATE "payments" SET "next_check_at" = now() WHERE "status" NOT IN ('succeeded', 'canceled');--> statement-breakpoint
DROP INDEX "payments_unsettled";--> statement-breakpoint
CREATE INDEX "payments_due" ON "payments" USING btree ("next_check_at") WHERE "payments"."next_check_at" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "stripe_events" ADD COLUMN "payload" jsonb;--> statement-breakpoint
ALTER TABLE "stripe_events" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stripe_events" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "stripe_events" ADD COLUMN "locked_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stripe_events" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "stripe_events" ADD COLUMN "dead_at" timestamp with time zone;--> statement-breakpoint
-- Events recorded before the queue carry no payload to process again: they count as done.
UPDATE "stripe_events" SET "processed_at" = coalesce("processed_at", now());--> statement-breakpoint
CREATE INDEX "stripe_events_pending" ON "stripe_events" USING btree ("next_attempt_at") WHERE "stripe_events"."processed_at" IS NULL AND "stripe_events"."dead_at" IS NULL;--> statement-breakpoint
CREATE INDEX "stripe_events_processed" ON "stripe_events" USING btree ("processed_at") WHERE "stripe_events"."processed_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created" ON "idempotency_keys" USING btree ("created_at");
