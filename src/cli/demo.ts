import { withApp } from "./common.ts";
import type { Output } from "./output.ts";

const REQUEST = "Page the on-call engineer with a message and post it to #it-ops";

export async function demo(output: Output): Promise<number> {
  const started = Date.now();
  return withApp(async (app) => {
    const stage = (n: number, text: string) => output.out(`\n${n}. ${text}`);
    stage(1, `Sync the demo tenant's MCP servers (database: ${app.database.kind} ${app.database.location})`);
    const { result } = await app.sync("demo", (p) => {
      if (p.event === "integration-finished")
        output.out(
          `   ${p.result.status === "failed" ? "✗" : "✓"} ${p.result.integration}:` +
            ` ${p.result.counts?.tools ?? 0} tools (${p.result.status})`,
        );
    });
    if (!result.ok) {
      output.err("some demo integrations failed to sync; see above");
      return 1;
    }
    const author = await app.identity.ensureUser("demo-author");
    const reviewer = await app.identity.ensureUser("demo-reviewer");
    await app.identity.grant("demo", author.id, "author");
    await app.identity.grant("demo", reviewer.id, "reviewer");

    const claude = app.env.planner.apiKey || app.env.planner.provider !== "anthropic";
    const planner = claude ? `Claude, ${app.env.planner.model}` : "offline planner; set ANTHROPIC_API_KEY for Claude";
    stage(2, `Plan: "${REQUEST}" (${planner})`);
    const planned = await app.planner.plan({
      tenantId: "demo",
      request: REQUEST,
      author: { userId: author.id, handle: author.handle },
      onProgress: (p) =>
        output.out(
          `   ${p.event === "checked" ? (p.ok ? "✓" : "✗") : "·"} ${p.event === "turn" ? `turn ${p.turn}` : p.summary}`,
        ),
    });
    const version = planned.version;
    const label = `${version.workflow}@${version.number}`;
    output.out(
      `   draft ${label}: ` + `calls ${version.capabilities.map((c) => `${c.integration}.${c.tool}`).join(", ")}`,
    );

    stage(3, "Gates");
    for (const gate of version.gates)
      output.out(`   ${gate.ok ? "✓" : "✗"} ${gate.gate}: ${gate.detail.split("\n")[0]}`);

    stage(
      4,
      `Review: submitted by ${author.handle}, approved by ${reviewer.handle} (an author can never ` +
        `approve their own version)`,
    );
    await app.versions.submit("demo", version.id, { userId: author.id, handle: author.handle });
    const approved = await app.versions.approve(
      "demo",
      version.id,
      { userId: reviewer.id, handle: reviewer.handle },
      "Demo approval: calls and tests reviewed.",
    );
    output.out(`   ${label} is ${approved.version.status}, bundle ${approved.version.bundleHash?.slice(0, 19)}…`);

    stage(5, "Run the approved version against the live demo servers");
    const run = await app.versions.runActive({
      tenantId: "demo",
      workflow: version.workflow,
      input: { message: "Disk on db-1 is 95% full" },
      trigger: { type: "manual" },
      onEvent: (e) => {
        if (e.event === "call-finished")
          output.out(`   ${e.ok ? "✓" : "✗"} ${e.seq}. ${e.tool}${e.error ? `: ${e.error}` : ""}`);
      },
    });
    output.out(`   run ${run.runId}: ${run.status}, output ${JSON.stringify(run.output)}`);
    const journal = await app.runRepository.journal(run.runId);
    output.out(`   journal: ${journal.map((e) => `${e.seq} ${e.integration}.${e.tool} ${e.status}`).join("; ")}`);

    output.out(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Try next:`);
    output.out(`   charter versions show ${label} --tenant demo`);
    output.out(`   charter runs show ${run.runId}`);
    output.out(
      `   charter plan --tenant demo "When a P1 incident is opened, open a bridge channel, page ` +
        `the on-call engineer and post the incident summary there"`,
    );
    return run.status === "succeeded" ? 0 : 1;
  });
}
