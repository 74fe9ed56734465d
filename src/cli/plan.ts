/** `charter plan`: a plain-language request → a draft version that passed its checks, with progress as it goes. */
import { PlannerDeclined } from "../core/errors.ts";
import { capabilityLabel } from "./common.ts";
import type { PlannerProgress, PlanResult } from "../planner/index.ts";
import { identify, withApp } from "./common.ts";
import type { Output } from "./output.ts";

/** A new request, or an answer that continues a planning session. */
export type PlanInput = string | { answer: string; session?: string | undefined };

export async function planCommand(
  input: PlanInput,
  options: { tenant?: string | undefined; from?: string | undefined; as?: string | undefined; json: boolean },
  output: Output,
): Promise<number> {
  return withApp(async (app) => {
    const { actor, tenantId } = await identify(app, options, true);
    const onProgress = (progress: PlannerProgress) => {
      if (options.json) return;
      if (progress.event === "turn")
        output.out(
          `  turn ${progress.turn} (${progress.inputTokens} in, ${progress.cacheReadTokens} ` +
            `cached, ${progress.cacheWriteTokens} cache-written, ${progress.outputTokens} out tokens)`,
        );
      else if (progress.event === "tool") output.out(`  · ${progress.summary}`);
      else output.out(`  ${progress.ok ? "✓" : "✗"} ${progress.summary}`);
    };
    if (!options.json)
      output.out(
        typeof input === "string"
          ? `Planning for tenant ${tenantId} as ${actor.handle}: "${input}"`
          : `Answering ${input.session ? `planning session ${input.session}` : "your latest question"} ` +
              `for tenant ${tenantId} as ${actor.handle}: "${input.answer}"`,
      );
    let result: PlanResult;
    try {
      result =
        typeof input === "string"
          ? await app.planner.plan({ tenantId, request: input, author: actor, from: options.from, onProgress })
          : await app.planner.answer({
              tenantId,
              answer: input.answer,
              session: input.session,
              author: actor,
              onProgress,
            });
    } catch (error) {
      if (!(error instanceof PlannerDeclined)) throw error;
      // Not a failure of Charter: the planner's honest answer, which names the part it could not plan.
      if (options.json) output.out(JSON.stringify({ ...error.toJSON(), code: error.code }, null, 2));
      else {
        output.out(
          error.outcome === "refused"
            ? `Not planned: "${error.clause}"
  ${error.reason}`
            : `The planner needs an answer about "${error.clause}":
  ${error.reason}`,
        );
        if (error.options.length) output.out(`  options: ${error.options.join(", ")}`);
        output.out(
          `No draft was stored. Answer with: charter plan --tenant ${tenantId} ` +
            `--session ${error.session ?? "<id>"} --answer "…" (or reword the request and plan again).`,
        );
      }
      return 1;
    }
    const version = result.version;
    const label = `${version.workflow}@${version.number}`;
    if (options.json) {
      output.out(
        JSON.stringify(
          {
            outcome: "draft",
            version: label,
            id: version.id,
            status: version.status,
            planner: result.planner,
            session: result.session ?? null,
            plan: version.origin?.plan ?? null,
            usage: result.usage ?? null,
            capabilities: version.capabilities,
            gates: version.gates,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    output.out(`Draft ${label} (${version.id}) by the ${result.planner} planner: ${version.status}`);
    const capabilities = version.capabilities;
    output.out(`  calls: ${capabilities.map(capabilityLabel).join(", ")}`);
    if (result.usage)
      output.out(
        `  ${result.usage.turns} turns, ${result.usage.inputTokens} input ` +
          `(${result.usage.cacheReadTokens} more read from the prompt ` +
          `cache, ${result.usage.cacheWriteTokens} written to it) and ${result.usage.outputTokens} ` +
          `output tokens, $${result.usage.costUsd.toFixed(4)},` +
          ` ${(result.usage.wallMs / 1000).toFixed(1)} s`,
      );
    output.out(
      `Next: charter versions show ${label} --tenant ${tenantId}; charter submit ${label} ` +
        `--tenant ${tenantId} --as ${actor.handle}; a reviewer approves it.`,
    );
    return 0;
  });
}
