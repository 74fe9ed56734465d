/**
 * The commands' help texts, in a module of their own: `charter --help` and `charter <command>
 * --help` print them without loading the command (and the services it imports).
 */

export const DEMO_HELP = `Usage: charter demo

Syncs the demo tenant, plans "${"Page the on-call engineer with a message and post it to #it-ops"}",
runs its gates, submits it as demo-author, approves it as demo-reviewer, runs it live against the
demo servers and prints each stage. Uses the embedded database (CHARTER_DATA_DIR, default .charter in Charter home).`;

/** `charter mcp --help`, with where this Charter's home, tenants and data are. */
export const mcpHelp = (where: {
  home: string;
  tenantsDir: string;
  dataDir: string;
  databaseUrl: string | undefined;
}) =>
  `Usage: charter mcp --tenant <tenant> [--as <user>]

Serves Charter over MCP on stdin/stdout for a local client: the tenant's approved workflows as tools
(running them needs the operator or admin role), charter.* tools to plan drafts and follow runs,
the tenant SDK as resources, and a draft_workflow prompt. Approval is never offered over MCP.
Who is calling: CHARTER_API_KEY (a key from 'charter keys create'), or --as <user> (a local user
from 'charter users add'). Runs until the client closes stdin.

Works from any folder: tenants and data are found from Charter home (CHARTER_HOME, by default the
folder Charter is installed in), whatever folder the client starts it in. Here:
  home     ${where.home}
  tenants  ${where.tenantsDir}
  data     ${where.databaseUrl ? "the PostgreSQL server in DATABASE_URL" : where.dataDir}
The embedded database is one process's at a time: beside a running 'charter serve' (or another
'charter mcp') on the same data folder, this one connects through that process with CHARTER_API_KEY.

Claude Desktop (claude_desktop_config.json) or Claude Code (.mcp.json):
  { "mcpServers": { "charter": { "command": "sh",
      "args": ["${where.home}/.ci/node", "${where.home}/src/cli/charter.js", "mcp", "--tenant", "demo"],
      "env": { "CHARTER_API_KEY": "chk_…" } } } }`;

export const PLAN_HELP = `Usage: charter plan --tenant <tenant> "<request>" [--from <version>] [--as <user>] [--json]
       charter plan --tenant <tenant> --answer "<answer>" [--session <id>] [--as <user>] [--json]

Writes a workflow for the request against the tenant's tools, checks it (compile, analysis, tests
in the sandbox) and stores it as a draft version for review. With ANTHROPIC_API_KEY set, Claude
plans (CHARTER_PLANNER_MODEL, default claude-sonnet-5-5; ANTHROPIC_BASE_URL for a proxy); without
it, the offline planner reads the request into a plan (docs/planner.md says what it understands).
Every part of the request must map to the plan: what cannot is answered with a refusal or a
question naming that part (exit 1; --json prints { outcome, clause, reason, options, session }),
and no draft is stored: the planning session is, and --answer continues it (the one named by
--session, or your latest one that waits for an answer). Claude goes on from its question; the
offline planner reads the request again with the answer put where the question pointed (in place
of a name that does not exist, or after the part asked about: "at 9:00", "#it-ops").
--from plans a revision of a version.
The planner can only create drafts: a reviewer decides whether it ever runs.

Identity: CHARTER_API_KEY, or --as <user>; otherwise the local user "local:<login>" (author role).`;

export const TRY_HELP =
  `Usage: charter try <workflow.ts> --tenant <tenant> [--input JSON] [--mocks FILE] ` +
  `[--live-readonly] [--json]

Compiles the workflow and runs it once in the sandbox, printing each ` +
  `tool call, the logs and the
output. Nothing is stored. Tool calls are answered from the mocks ` +
  `file: a JSON object from
"<integration>.<tool>" to a list of results, each { "output": … }, { ` +
  `"content": [ … ] } or
{ "error": { "code", "message" } }, used in order (the last repeats). With ` +
  `--live-readonly, calls to
read-only tools without a mock go to the tenant's live servers; every ` +
  `other call must be mocked.

Exit status: 0 when the run succeeded, 1 when it failed or the ` +
  `workflow does not compile, 2 on a usage error.`;

export const RUNS_HELP = `Usage: charter runs <command>

Commands:
  start <workflow> --tenant <tenant> [--input JSON] [--queue] [--json]
                           Run the workflow's approved version now, here, printing each tool call; with
                           --queue, queue it for 'charter worker' / 'charter serve' and print the job.
                           Needs the operator or admin role (CHARTER_API_KEY, or --as <user>).
  list --tenant <tenant> [--workflow <w>] [--limit <n>] [--json]
       [--status running|succeeded|failed|cancelled|needs-attention]
                           The tenant's runs, newest first (20 unless --limit)
  show <run-id> [--json]   A run: status, input, output or error, logs, and its journal of tool calls
  cancel <run-id> --tenant <tenant> [--json]
                           Ask a running run to stop at its next tool call (operator or admin role)
  resume <run-id>          Resume a run whose process died: answered calls replay from the journal;
                           a call that may or may not have happened is repeated only when the tool
                           is read-only or idempotent, otherwise the run stops as needs-attention`;

export const SERVE_HELP = `Usage: charter serve [--port <port>]

Serves the HTTP API under /api/v1 (OpenAPI at /api/v1/openapi.json) and signed webhooks under
/hooks/<tenant>/<workflow>, on 127.0.0.1 (CHARTER_HOST to change) and the port given (default 8787),
with the scheduler for approved versions' triggers and a worker (CHARTER_SERVE_WORKER=0 for none:
then runs wait for 'charter worker' processes). Manual and webhook runs are queued; POST .../runs?wait=10
waits up to 10 s for the result.
Stops cleanly on Ctrl-C or SIGTERM. Bootstrap a key with 'charter users add' and 'charter keys create'.`;

export const TENANTS_HELP = `Usage: charter tenants <command>

Commands:
  list                 List the tenants configured under the tenants folder
  sync [tenant] [--json]
                       Discover every integration of a tenant (all tenants if none is named),
                       store a new catalog snapshot where something changed, and report the changes
  show <tenant>        Show the stored integrations of a tenant and their current catalogs

Run 'charter tenants <command> --help' for details.`;

export const SYNC_HELP = `Usage: charter tenants sync [tenant] [--json]

Connects to each MCP server of the tenant (or of every tenant), lists its tools, resources,
resource templates and prompts, and stores an immutable catalog snapshot when the content changed.
Integrations sync independently: one that fails is reported and the others still sync.

Options:
  --json    Print the result as JSON instead of text
  --help    Show this help

Exit status: 0 when every integration synced, 1 when any failed, 2 on a usage error.`;

export const LIST_HELP = `Usage: charter tenants list

Lists the tenant folders (tenants/<id>/tenant.json) under CHARTER_TENANTS_DIR (default tenants in Charter home).`;

export const SHOW_HELP = `Usage: charter tenants show <tenant> [--json]

Shows each stored integration of a tenant: transport, credential state, and the tools of its current
catalog snapshot. Run 'charter tenants sync <tenant>' first.`;

export const VERSIONS_HELP = `Usage: charter versions <command> [--tenant <tenant>] [--as <user>] [--json]

Commands:
  create <workflow.ts> [--tests <file>]   Compile a workflow, run its gates and store it as the next version
  list [workflow]                         The tenant's versions with their status
  show <version>                          A version: status, gates, capabilities, approvals, drift
  diff <version> <version>                Source diff and capability diff between two versions

Versions are named by id or as <workflow>@<number>. Related commands:
  charter submit <version>                       Ask for review (the version's gates must have passed)
  charter approve <version> --comment <text>     Approve as a reviewer (never your own version)
  charter reject <version> --comment <text>      Reject as a reviewer
  charter rollback <workflow> --to <number>      Make an earlier approved version active again (operator or admin)
  charter users add <user> --tenant <t> --role <role>[,<role>]   Create a local user and grant roles
  charter keys create --user <user> --tenant <t> [--role <r>[,<r>]]  Make an API key (shown once), granting roles

Identity: CHARTER_API_KEY (its user and tenant), or --as <user> with --tenant <tenant>.`;

export const WORKER_HELP = `Usage: charter worker

Runs workers for queued runs and the scheduler for schedule triggers of approved versions, on the
database of CHARTER_DATA_DIR or DATABASE_URL (several workers need a PostgreSQL server: the
embedded database belongs to one process). Prints one JSON line per event. Stops on Ctrl-C or SIGTERM.`;

export const SDK_HELP = `Usage: charter sdk <tenant> [--json]

Generates the typed SDK of a tenant from its stored catalog (run 'charter tenants sync <tenant>'
first) and writes it to generated/<tenant>/<catalog hash>/ (or CHARTER_GENERATED_DIR): one module
per integration with its .d.ts, the guest runtime declarations (charter.d.ts) and a tsconfig.json,
so an editor gives workflow authors the same types 'charter check' uses.`;

export const CHECK_HELP = `Usage: charter check <workflow.ts> --tenant <tenant> [--tests <file>] [--json]

Compiles a workflow against the tenant's SDK: typecheck (no DOM, no Node.js), static analysis of
the tools it can call and the constructs it may not use, and an in-memory bundle for the sandbox.
Prints diagnostics as file:line:col, the workflow's capabilities with their annotations, its
triggers, the bundle size and timings. Tests are read from --tests, or from <workflow>.tests.json
beside the workflow when it exists, and checked against the schemas (not run).

Exit status: 0 when the workflow is clean (warnings allowed), 1 when it is not, 2 on a usage error.`;

export const INTEGRATIONS_HELP = `Usage: charter integrations authorize <tenant> <integration> [--again]

Authorizes Charter with an integration whose server wants OAuth 2.1 (tenant.json: "oauth" beside its
"url"), once, as you. Charter finds the authorization server from the MCP server's protected resource
metadata, registers itself there when "oauth" gives no "clientId", prints the address to open in a
browser, and finishes when the browser comes back to "oauth.redirectUri" (default
http://127.0.0.1:8976/callback; this command listens there). The tokens, refresh token included, are
sealed with the key in CHARTER_SECRETS_KEY_FILE (default .charter-secrets.key in Charter home, made on
first use; never in the database) and refreshed as needed by every Charter process. --again forgets
the tokens and authorizes anew. Then: charter tenants sync <tenant>.`;
