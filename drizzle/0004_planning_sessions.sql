CREATE TABLE "planning_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"author_id" uuid NOT NULL,
	"request" text NOT NULL,
	"answers" jsonb NOT NULL,
	"parent_version_id" uuid,
	"planner" text NOT NULL,
	"status" text NOT NULL,
	"question" jsonb,
	"conversation" jsonb,
	"transcript" jsonb NOT NULL,
	"usage" jsonb,
	"workspace" jsonb,
	"version_id" uuid,
	"revision" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "planning_sessions" ADD CONSTRAINT "planning_sessions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "planning_sessions" ADD CONSTRAINT "planning_sessions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "planning_sessions_by_author" ON "planning_sessions" USING btree ("tenant_id","author_id","updated_at");