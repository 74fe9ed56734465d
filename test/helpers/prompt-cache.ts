/**
 * What a run of Messages API requests costs in input tokens under Anthropic prompt caching: a
 * request reads from the cache the longest prefix (tools, then system, then messages, block by
 * block) that an earlier request marked with cache_control; the rest of it is uncached input.
 * Tokens are characters / 4 of the blocks' JSON unless a counter is given: the same rule for every
 * side of a comparison.
 */
import type { FakeRequest } from "./fake-anthropic.ts";

type Block = { text: string; breakpoint: boolean };

/** A request as the ordered blocks the cache sees, each with whether it carries a cache breakpoint. */
export function blocksOf(request: FakeRequest): Block[] {
  const blocks: Block[] = [];
  const push = (value: unknown, prefix = "") => {
    const { cache_control: mark, ...rest } = (
      typeof value === "object" && value !== null ? value : { text: value }
    ) as Record<string, unknown>;
    blocks.push({ text: prefix + JSON.stringify(rest), breakpoint: mark !== undefined });
  };
  for (const tool of request.tools ?? []) push(tool, "tool:");
  const system = request.system as unknown;
  if (Array.isArray(system)) for (const block of system) push(block, "system:");
  else if (system) push({ type: "text", text: system }, "system:");
  for (const message of request.messages) {
    if (typeof message.content === "string") push({ type: "text", text: message.content }, `${message.role}:`);
    else for (const block of message.content as unknown[]) push(block, `${message.role}:`);
  }
  return blocks;
}

/** Counts the tokens of a text. */
export type TokenCounter = (text: string) => number;
export const charactersOver4: TokenCounter = (text) => text.length / 4;

export type RequestTokens = { total: number; uncached: number; cacheRead: number; cacheWrite: number; input: number };

/**
 * Per request: all input tokens; those read from the cache that earlier requests wrote; the rest
 * (uncached), split as the API reports it into cache writes (up to the request's last breakpoint)
 * and plain input (after it).
 */
export function cacheAccounting(
  requests: FakeRequest[],
  count: TokenCounter = charactersOver4,
): { total: number; uncached: number; perRequest: RequestTokens[] } {
  const memo = new Map<string, number>();
  const tokens = (blocks: Block[]) =>
    Math.ceil(
      blocks.reduce((sum, b) => sum + (memo.get(b.text) ?? memo.set(b.text, count(b.text)).get(b.text) ?? 0), 0),
    );
  const written: string[][] = [];
  const perRequest: RequestTokens[] = [];
  for (const request of requests) {
    const blocks = blocksOf(request);
    const texts = blocks.map((b) => b.text);
    let hit = 0;
    for (const prefix of written)
      if (prefix.length > hit && prefix.length <= texts.length && prefix.every((t, i) => t === texts[i]))
        hit = prefix.length;
    const lastBreakpoint = blocks.findLastIndex((b) => b.breakpoint) + 1;
    const cacheWrite = lastBreakpoint > hit ? tokens(blocks.slice(hit, lastBreakpoint)) : 0;
    const uncached = tokens(blocks.slice(hit));
    perRequest.push({
      total: tokens(blocks),
      uncached,
      cacheRead: tokens(blocks.slice(0, hit)),
      cacheWrite,
      input: uncached - cacheWrite,
    });
    blocks.forEach((block, index) => {
      if (block.breakpoint) written.push(texts.slice(0, index + 1));
    });
  }
  return {
    total: perRequest.reduce((s, r) => s + r.total, 0),
    uncached: perRequest.reduce((s, r) => s + r.uncached, 0),
    perRequest,
  };
}
