/**
 * The `charter` command line: parses arguments, runs one command, and turns errors into one
 * readable line and an exit status (0 ok, 1 failed, 2 usage). Stack traces only with CHARTER_DEBUG=1.
 */
import { parseArgs } from "node:util";
import { CharterError } from "../core/errors.ts";
import { consoleOutput, type Output } from "./output.ts";
import {
  CHECK_HELP,
  DEMO_HELP,
  INTEGRATIONS_HELP,
  LIST_HELP,
  mcpHelp,
  PLAN_HELP,
  RUNS_HELP,
  SDK_HELP,
  SERVE_HELP,
  SHOW_HELP,
  SYNC_HELP,
  TENANTS_HELP,
  TRY_HELP,
  VERSIONS_HELP,
  WORKER_HELP,
} from "./help.ts";

// Each command is loaded when it runs, not before: help, usage errors and the quick commands do
// not pay for the services the others import (the database, the compiler, the sandbox).
const tenantsCli = () => import("./tenants.ts");
const workflowsCli = () => import("./workflows.ts");
const runsCli = () => import("./runs.ts");
const versionsCli = () => import("./versions.ts");

const HELP = `Charter turns plain-language requests into typed, tested, human-approved workflows
over a tenant's live MCP servers.

Usage: charter <command> [options]

Commands:
  demo                    Sync, plan, review and run a workflow on the demo tenant, end to end
  serve [--port <port>]   Serve the HTTP API and webhooks
  worker                  Run queued runs and the schedules of approved versions
  mcp --tenant <tenant>   Serve Charter over MCP on stdio (approved workflows as tools)
  tenants list            List configured tenants
  tenants sync [tenant]   Discover a tenant's integrations and store their catalogs
  tenants show <tenant>   Show a tenant's stored integrations and tools
  integrations authorize <tenant> <integration>
                          Authorize Charter with an integration that wants OAuth (once)
  sdk <tenant>            Write the tenant's typed SDK to generated/<tenant>/<catalog hash>/
  check <file> --tenant <tenant>
                          Typecheck, analyse and bundle a workflow against the tenant's SDK
  plan --tenant <tenant> "<request>" [--from <version>]
  plan --tenant <tenant> --answer "<answer>" [--session <id>]
                          Plan a workflow from plain language into a draft version
  try <file> --tenant <tenant> [--input JSON] [--mocks FILE] [--live-readonly]
                          Run a workflow once in the sandbox with mocked (or live read-only) tools
  runs start <workflow> --tenant <tenant> [--input JSON] [--queue]
                          Run the approved version of a workflow (manual trigger)
  runs list --tenant <t>  A tenant's runs, newest first [--workflow <w>] [--status <s>] [--limit <n>]
  runs show <run-id>      A run and its journal of tool calls
  runs cancel <run-id>    Ask a running run to stop at its next tool call
  runs resume <run-id>    Resume a run whose process died
  versions create|list|show|diff
                          Versions of workflows, their gates, capabilities and drift
  submit|approve|reject <version>, rollback <workflow> --to <n>
                          Review decisions (see 'charter versions --help')
  users add, keys create  Local users, their roles, and API keys
  migrate                 Apply database migrations (also done automatically at start)
  help, --version         Show this help, or Charter's version

Environment (relative folders start from Charter home, whatever the current folder):
  CHARTER_HOME       Charter home (default: the folder Charter is installed in)
  CHARTER_DATA_DIR   Folder of the embedded database (default .charter)
  DATABASE_URL       Use this PostgreSQL server instead of the embedded database
  CHARTER_TENANTS_DIR  Folder of tenant configurations (default tenants)
  CHARTER_GENERATED_DIR  Folder 'charter sdk' writes to (default generated)
  CHARTER_SECRETS_KEY_FILE  Key that seals OAuth tokens in the database (default .charter-secrets.key)

Run 'charter <command> --help' for a command's options.`;

const MIGRATE_HELP = `Usage: charter migrate

Applies every migration in drizzle/ that the database does not have yet: the embedded database in
CHARTER_DATA_DIR (default .charter in Charter home), or the PostgreSQL server in DATABASE_URL when it is set.`;

class UsageError extends Error {}

export async function main(argv: string[], output: Output = consoleOutput): Promise<number> {
  try {
    return await run(argv, output);
  } catch (error) {
    // With --json, the error is JSON on stdout as well (what a script reads), beside the sentence on stderr.
    if (argv.includes("--json")) {
      const code = error instanceof UsageError ? "USAGE" : error instanceof CharterError ? error.code : "INTERNAL";
      output.out(JSON.stringify({ error: { code, message: error instanceof Error ? error.message : String(error) } }));
    }
    if (error instanceof UsageError) {
      output.err(`charter: ${error.message}\nRun 'charter --help' for usage.`);
      return 2;
    }
    if (error instanceof CharterError) {
      output.err(`charter: ${error.message} [${error.code}]`);
    } else {
      output.err(`charter: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
      output.err("This is a bug in Charter; run again with CHARTER_DEBUG=1 for details and report it.");
    }
    if (error instanceof Error && (await import("../config/env.ts")).debugRequested()) output.err(error.stack ?? "");
    return 1;
  }
}

async function run(argv: string[], output: Output): Promise<number> {
  const { values, positionals } = parse(argv);
  const [command, sub, target, ...rest] = positionals;
  const help = (text: string) => (output.out(text), 0);
  if (values.version && command === undefined) {
    const { readFileSync } = await import("node:fs");
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    output.out(`charter ${version} (Node.js ${process.versions.node})`);
    return 0;
  }
  switch (command) {
    case undefined:
    case "help":
      return help(HELP);
    case "migrate":
      if (values.help) return help(MIGRATE_HELP);
      return migrate(output);
    case "tenants":
      switch (sub) {
        case undefined:
          return help(TENANTS_HELP);
        case "list":
          return values.help ? help(LIST_HELP) : (await tenantsCli()).listTenants(output);
        case "sync":
          if (values.help) return help(SYNC_HELP);
          if (rest.length > 0)
            throw new UsageError(`tenants sync takes at most one tenant, got: ${[target, ...rest].join(" ")}`);
          return (await tenantsCli()).syncTenants(target, values.json === true, output);
        case "show":
          if (values.help) return help(SHOW_HELP);
          if (!target) throw new UsageError("tenants show needs a tenant id");
          return (await tenantsCli()).showTenant(target, values.json === true, output);
        default:
          throw new UsageError(`unknown tenants command "${sub}"`);
      }
    case "integrations": {
      if (values.help || sub === undefined) return help(INTEGRATIONS_HELP);
      if (sub !== "authorize") throw new UsageError(`unknown integrations command "${sub}"`);
      const integration = rest[0];
      if (!target || !integration || rest.length > 1)
        throw new UsageError(
          "integrations authorize takes a tenant and an integration: charter integrations " +
            "authorize <tenant> <integration>",
        );
      return (await import("./integrations.ts")).authorizeIntegration(
        target,
        integration,
        { again: values.again === true },
        output,
      );
    }
    case "sdk":
      if (values.help) return help(SDK_HELP);
      if (!sub || target) throw new UsageError("sdk takes one tenant id: charter sdk <tenant>");
      return (await workflowsCli()).writeSdk(sub, values.json === true, output);
    case "check":
      if (values.help) return help(CHECK_HELP);
      if (!sub || target)
        throw new UsageError("check takes one workflow file: charter check <file.ts> --tenant <tenant>");
      if (!values.tenant)
        throw new UsageError("check needs --tenant <tenant>: the tenant whose SDK the workflow is checked against");
      return (await workflowsCli()).checkWorkflow(sub, values.tenant, values.tests, values.json === true, output);
    case "try":
      if (values.help) return help(TRY_HELP);
      if (!sub || target) throw new UsageError("try takes one workflow file: charter try <file.ts> --tenant <tenant>");
      if (!values.tenant) throw new UsageError("try needs --tenant <tenant>");
      return (await runsCli()).tryWorkflow(
        sub,
        {
          tenant: values.tenant,
          input: values.input,
          mocks: values.mocks,
          liveReadonly: values["live-readonly"] === true,
          json: values.json === true,
        },
        output,
      );
    case "runs":
      if (values.help || !sub) return help(RUNS_HELP);
      if (sub === "start") {
        if (!target) throw new UsageError("runs start needs a workflow name");
        return (await runsCli()).startRun(
          target,
          {
            tenant: values.tenant,
            as: values.as,
            input: values.input,
            queue: values.queue === true,
            json: values.json === true,
          },
          output,
        );
      }
      if (sub === "list")
        return (await runsCli()).listRuns(
          {
            tenant: values.tenant,
            as: values.as,
            workflow: values.workflow,
            status: values.status,
            limit: values.limit,
            json: values.json === true,
          },
          output,
        );
      if (!target) throw new UsageError(`runs ${sub} needs a run id`);
      if (sub === "cancel")
        return (await runsCli()).cancelRun(
          target,
          { tenant: values.tenant, as: values.as, json: values.json === true },
          output,
        );
      if (sub === "show") return (await runsCli()).showRun(target, values.json === true, output);
      if (sub === "resume") return (await runsCli()).resumeRun(target, output);
      throw new UsageError(`unknown runs command "${sub}"`);
    case "serve": {
      if (values.help) return help(SERVE_HELP);
      const port = Number(values.port ?? "8787");
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be a port number, got ${values.port}`);
      return (await import("./serve.ts")).serveCommand(port, output);
    }
    case "mcp":
      if (values.help) {
        const { parseEnv } = await import("../config/env.ts");
        return help(mcpHelp(parseEnv(process.env, process.cwd())));
      }
      return (await import("./mcp.ts")).mcpCommand({ tenant: values.tenant, as: values.as });
    case "worker":
      if (values.help) return help(WORKER_HELP);
      return (await import("./worker.ts")).workerCommand(output);
    case "demo":
      if (values.help) return help(DEMO_HELP);
      return (await import("./demo.ts")).demo(output);
    case "plan":
      if (values.help) return help(PLAN_HELP);
      if (values.answer !== undefined) {
        if (sub || values.from)
          throw new UsageError(
            "--answer continues a planning session; give no request and no --from: charter plan " +
              '--tenant <tenant> --answer "<answer>" [--session <id>]',
          );
        return (await import("./plan.ts")).planCommand(
          { answer: values.answer, session: values.session },
          { tenant: values.tenant, as: values.as, json: values.json === true },
          output,
        );
      }
      if (values.session)
        throw new UsageError(
          '--session goes with --answer: charter plan --tenant <tenant> --session <id> --answer "<answer>"',
        );
      if (!sub) throw new UsageError('plan needs a request: charter plan --tenant <tenant> "<request>"');
      return (await import("./plan.ts")).planCommand(
        [sub, target, ...rest].filter((x): x is string => x !== undefined).join(" "),
        { tenant: values.tenant, from: values.from, as: values.as, json: values.json === true },
        output,
      );
    case "versions":
      if (values.help) return help(VERSIONS_HELP);
      return (await versionsCli()).versionsCommand(
        sub,
        [target, ...rest].filter((x): x is string => x !== undefined),
        decisionOptions(values),
        output,
      );
    case "submit":
    case "approve":
    case "reject":
      if (values.help) return help(VERSIONS_HELP);
      if (!sub || target) throw new UsageError(`${command} takes one version: charter ${command} <workflow>@<number>`);
      return (await versionsCli()).decide(command, sub, decisionOptions(values), output);
    case "rollback":
      if (values.help) return help(VERSIONS_HELP);
      if (!sub || target)
        throw new UsageError("rollback takes one workflow: charter rollback <workflow> --to <number>");
      return (await versionsCli()).rollback(sub, decisionOptions(values), output);
    case "users":
      if (values.help || sub !== "add" || !target)
        return values.help
          ? help(VERSIONS_HELP)
          : Promise.reject(new UsageError("usage: charter users add <user> --tenant <tenant> --role <role>[,<role>]"));
      return (await versionsCli()).usersAdd(target, decisionOptions(values), output);
    case "keys":
      if (values.help || sub !== "create")
        return values.help
          ? help(VERSIONS_HELP)
          : Promise.reject(new UsageError("usage: charter keys create --user <user> --tenant <tenant>"));
      return (await versionsCli()).keysCreate(decisionOptions(values), output);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function parse(argv: string[]) {
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        json: { type: "boolean" },
        version: { type: "boolean" },
        tenant: { type: "string" },
        tests: { type: "string" },
        input: { type: "string" },
        mocks: { type: "string" },
        "live-readonly": { type: "boolean" },
        as: { type: "string" },
        comment: { type: "string" },
        to: { type: "string" },
        role: { type: "string" },
        user: { type: "string" },
        from: { type: "string" },
        answer: { type: "string" },
        session: { type: "string" },
        port: { type: "string" },
        queue: { type: "boolean" },
        again: { type: "boolean" },
        workflow: { type: "string" },
        status: { type: "string" },
        limit: { type: "string" },
      },
    });
    if (parsed.values.help && parsed.positionals.length === 0) parsed.positionals.push("help");
    return parsed;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function migrate(output: Output): Promise<number> {
  // Opening the app migrates the database.
  const { withApp } = await import("./common.ts");
  return withApp(async (app) => {
    output.out(`database migrated: ${app.database.kind} ${app.database.location}`);
    return 0;
  });
}

function decisionOptions(values: ReturnType<typeof parse>["values"]) {
  return {
    tenant: values.tenant,
    as: values.as,
    json: values.json === true,
    tests: values.tests,
    comment: values.comment,
    to: values.to,
    role: values.role,
    user: values.user,
  };
}
