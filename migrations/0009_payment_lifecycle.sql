ALTER TABLE "payments" ADD COLUMN "capture_method" text DEFAULT 'automatic' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "amount_received" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Payments that succeeded before this column were captured in full (only automatic capture existed).
UPDATE "payments" SET "amount_received" = "amount" WHERE "status" = 'succeeded';--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"payment_id" text NOT NULL,
	"amount" integer NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"failure_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"stripe_synced_at" timestamp (6) with time zone NOT NULL,
	CONSTRAINT "refunds_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE cascade ON UPDATE no action
);
--> statement-breakpoint
CREATE INDEX "refunds_payment" ON "refunds" USING btree ("payment_id","created_at");
