CREATE TABLE "account_links" (
	"user_id" text NOT NULL,
	"system_id" text NOT NULL,
	"linked" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_links_user_id_system_id_pk" PRIMARY KEY("user_id","system_id")
);
--> statement-breakpoint
CREATE TABLE "organisation_settings" (
	"organisation_id" text PRIMARY KEY NOT NULL,
	"redirect_uris" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"identity_provider" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transactable_systems" (
	"organisation_id" text NOT NULL,
	"system_id" text NOT NULL,
	"name" text NOT NULL,
	"linked_account_required" boolean DEFAULT false NOT NULL,
	"link_url" text,
	"jwt_claims" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"users_api_fields" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transactable_systems_organisation_id_system_id_pk" PRIMARY KEY("organisation_id","system_id")
);
--> statement-breakpoint
DROP INDEX "users_email_per_organisation";--> statement-breakpoint
DROP INDEX "users_external_uid_per_organisation";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "vehicle" jsonb;--> statement-breakpoint
ALTER TABLE "account_links" ADD CONSTRAINT "account_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation_settings" ADD CONSTRAINT "organisation_settings_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transactable_systems" ADD CONSTRAINT "transactable_systems_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_per_organisation" ON "users" USING btree ("organisation_id","is_test","email") WHERE "users"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "users_external_uid_per_organisation" ON "users" USING btree ("organisation_id","is_test","external_uid") WHERE "users"."external_uid" is not null and "users"."deleted_at" is null;