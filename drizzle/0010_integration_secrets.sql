CREATE TABLE "integration_secrets" (
	"tenant_id" text NOT NULL,
	"integration_id" text NOT NULL,
	"kind" text NOT NULL,
	"sealed" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "integration_secrets_tenant_id_integration_id_kind_pk" PRIMARY KEY("tenant_id","integration_id","kind")
);
--> statement-breakpoint
ALTER TABLE "integration_secrets" ADD CONSTRAINT "integration_secrets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;