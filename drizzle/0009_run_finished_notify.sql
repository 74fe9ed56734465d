-- A run that ends (from running to any other status, on any path) tells listeners on
-- 'charter_run_finished' which job started it, when the change commits: callers waiting for a
-- queued run's result (?wait, MCP waits) are woken instead of polling.
CREATE FUNCTION charter_notify_run_finished() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('charter_run_finished', COALESCE(NEW.job_id::text, '') || ' ' || NEW.id::text);
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER runs_notify_finished AFTER UPDATE OF status ON runs FOR EACH ROW
  WHEN (OLD.status = 'running' AND NEW.status <> 'running') EXECUTE FUNCTION charter_notify_run_finished();
