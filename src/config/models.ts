/**
 * Which models the planner may name: those the installed @anthropic-ai/sdk knows (its `Model`
 * type). The list below must name every one of them, or the typecheck fails, so an SDK upgrade
 * brings its models in by a one-line change. On Bedrock and Vertex a model id wraps a known name
 * ("anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5@20250929").
 */
import type { Model } from "@anthropic-ai/sdk/resources/messages/messages";

/** The literal model names of the SDK's `Model` type (without its open-ended `string & {}`). */
type KnownModel = Model extends infer M ? (M extends string ? (string extends M ? never : M) : never) : never;

const KNOWN: Record<KnownModel, true> = {
  "claude-fable-5-2": true,
  "claude-mythos-5-2": true,
  "claude-haiku-5-5": true,
  "claude-sonnet-5-5": true,
  "claude-fable-5-1": true,
  "claude-opus-5-5": true,
  "claude-mythos-5-1": true,
  "claude-sonnet-5": true,
  "claude-fable-5": true,
  "claude-mythos-5": true,
  "claude-opus-5": true,
  "claude-opus-4-8": true,
  "claude-opus-4-7": true,
  "claude-mythos-preview": true,
  "claude-opus-4-6": true,
  "claude-sonnet-4-6": true,
  "claude-haiku-4-5": true,
  "claude-haiku-4-5-20251001": true,
  "claude-opus-4-5": true,
  "claude-opus-4-5-20251101": true,
  "claude-sonnet-4-5": true,
  "claude-sonnet-4-5-20250929": true,
};

export const KNOWN_MODELS: readonly string[] = Object.keys(KNOWN).sort();

export type PlannerProvider = "anthropic" | "bedrock" | "vertex";

/** Why a model name will not do for the provider, with the nearest known name; undefined when it will. */
export function modelProblem(model: string, provider: PlannerProvider): string | undefined {
  if (provider === "anthropic" ? KNOWN_MODELS.includes(model) : KNOWN_MODELS.some((known) => model.includes(known)))
    return undefined;
  const nearest = [...KNOWN_MODELS].sort((a, b) => distance(model, a) - distance(model, b))[0];
  const shape =
    provider === "bedrock"
      ? ' (a Bedrock model id or inference profile that names one, e.g. "anthropic.claude-sonnet-4-5-20250929-v1:0")'
      : provider === "vertex"
        ? ' (a Vertex model id that names one, e.g. "claude-sonnet-4-5@20250929")'
        : "";
  return (
    `"${model}" is not a model the installed @anthropic-ai/sdk knows${shape}; did you mean ` +
    `"${nearest}"? Known: ${KNOWN_MODELS.join(", ")}`
  );
}

/** Edit distance, for the suggestion. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length] ?? 0;
}
