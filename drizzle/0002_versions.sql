CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"comment" text NOT NULL,
	"hashes" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"workflow" text,
	"version_id" uuid,
	"detail" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"workflow" text NOT NULL,
	"number" integer NOT NULL,
	"source" text NOT NULL,
	"source_hash" text NOT NULL,
	"tests" jsonb,
	"bundle_hash" text,
	"capabilities" jsonb NOT NULL,
	"tool_snapshots" jsonb NOT NULL,
	"input_schema" jsonb,
	"output_schema" jsonb,
	"triggers" jsonb NOT NULL,
	"catalog_hash" text NOT NULL,
	"sdk_hash" text NOT NULL,
	"parent_version_id" uuid,
	"author_id" uuid NOT NULL,
	"origin" jsonb,
	"status" text NOT NULL,
	"gates" jsonb NOT NULL,
	"drift" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflows" (
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"active_version_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflows_tenant_id_name_pk" PRIMARY KEY("tenant_id","name")
);
--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_version_id_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "versions" ADD CONSTRAINT "versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "versions" ADD CONSTRAINT "versions_bundle_hash_bundles_hash_fk" FOREIGN KEY ("bundle_hash") REFERENCES "public"."bundles"("hash") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "versions" ADD CONSTRAINT "versions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflows" ADD CONSTRAINT "workflows_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_one_per_user" ON "approvals" USING btree ("version_id","user_id");--> statement-breakpoint
CREATE INDEX "audit_by_tenant" ON "audit_log" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "versions_number" ON "versions" USING btree ("tenant_id","workflow","number");--> statement-breakpoint
CREATE INDEX "versions_by_status" ON "versions" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE FUNCTION charter_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'charter: % on % is refused: its rows are append-only', TG_OP, TG_TABLE_NAME;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION charter_refuse_change();
--> statement-breakpoint
CREATE TRIGGER bundles_immutable BEFORE UPDATE ON bundles FOR EACH ROW EXECUTE FUNCTION charter_refuse_change();
--> statement-breakpoint
CREATE FUNCTION charter_version_content_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.tenant_id, NEW.workflow, NEW.number, NEW.source, NEW.source_hash, NEW.tests, NEW.bundle_hash, NEW.capabilities,
      NEW.tool_snapshots, NEW.input_schema, NEW.output_schema, NEW.triggers, NEW.catalog_hash, NEW.sdk_hash,
      NEW.parent_version_id, NEW.author_id, NEW.origin, NEW.created_at)
     IS DISTINCT FROM
     (OLD.tenant_id, OLD.workflow, OLD.number, OLD.source, OLD.source_hash, OLD.tests, OLD.bundle_hash, OLD.capabilities,
      OLD.tool_snapshots, OLD.input_schema, OLD.output_schema, OLD.triggers, OLD.catalog_hash, OLD.sdk_hash,
      OLD.parent_version_id, OLD.author_id, OLD.origin, OLD.created_at) THEN
    RAISE EXCEPTION 'charter: the content of version % is immutable; create a new version instead', OLD.id;
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER versions_content_fixed BEFORE UPDATE ON versions FOR EACH ROW EXECUTE FUNCTION charter_version_content_fixed();
