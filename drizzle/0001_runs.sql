CREATE TABLE "bundles" (
	"hash" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"workflow" text NOT NULL,
	"code" text NOT NULL,
	"source_map" text NOT NULL,
	"tools" jsonb NOT NULL,
	"input_schema" jsonb NOT NULL,
	"output_schema" jsonb NOT NULL,
	"catalog_hash" text NOT NULL,
	"sdk_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journal_entries" (
	"run_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"integration" text NOT NULL,
	"tool" text NOT NULL,
	"args" jsonb NOT NULL,
	"args_hash" text NOT NULL,
	"status" text NOT NULL,
	"outcome" jsonb,
	"attempt" integer DEFAULT 1 NOT NULL,
	"source" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "journal_entries_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"workflow" text NOT NULL,
	"bundle_hash" text NOT NULL,
	"version_id" uuid,
	"trigger" jsonb NOT NULL,
	"input" jsonb NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"seed" jsonb NOT NULL,
	"state_before" jsonb NOT NULL,
	"output" jsonb,
	"error" jsonb,
	"logs" jsonb,
	"attempts" integer DEFAULT 1 NOT NULL,
	"lease_until" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_state" (
	"tenant_id" text NOT NULL,
	"workflow" text NOT NULL,
	"state" jsonb NOT NULL,
	"updated_by_run" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_state_tenant_id_workflow_pk" PRIMARY KEY("tenant_id","workflow")
);
--> statement-breakpoint
ALTER TABLE "bundles" ADD CONSTRAINT "bundles_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_bundle_hash_bundles_hash_fk" FOREIGN KEY ("bundle_hash") REFERENCES "public"."bundles"("hash") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_state" ADD CONSTRAINT "workflow_state_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "runs_by_workflow" ON "runs" USING btree ("tenant_id","workflow","created_at");--> statement-breakpoint
CREATE INDEX "runs_by_status" ON "runs" USING btree ("status","lease_until");