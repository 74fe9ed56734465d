ALTER TABLE "api_keys" ADD COLUMN "created_by" uuid;--> statement-breakpoint
ALTER TABLE "tenant_roles" ADD COLUMN "granted_by" uuid;