ALTER TABLE "runs" ADD COLUMN "version_number" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "job_id" uuid;--> statement-breakpoint
CREATE INDEX "runs_by_job" ON "runs" USING btree ("job_id");--> statement-breakpoint
UPDATE "runs" SET "job_id" = ("trigger"->'detail'->>'job')::uuid WHERE "trigger"->'detail'->>'job' ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';--> statement-breakpoint
UPDATE "runs" SET "version_number" = "versions"."number" FROM "versions" WHERE "runs"."version_id" = "versions"."id";
