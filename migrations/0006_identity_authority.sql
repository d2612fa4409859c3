-- Who vouches for each user: its own password, or its organisation's partner side (Coord create_jwt,
-- the partner's identity provider, CareValidate CREATE_USER). Existing rows: a user with a password is
-- a password account; one without was made by a partner face.
ALTER TABLE "users" ADD COLUMN "authority" text;--> statement-breakpoint
UPDATE "users" SET "authority" = CASE WHEN "password_hash" IS NULL THEN 'partner' ELSE 'password' END;--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "authority" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "organisation_settings" ADD COLUMN "public_registration" boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE TABLE "link_state_uses" (
	"state_id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
CREATE INDEX "link_state_uses_expiry" ON "link_state_uses" USING btree ("expires_at");
