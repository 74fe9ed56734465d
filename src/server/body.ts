/** Request bodies: JSON within the limits on outside JSON, or a 400 that says what is wrong. */
import type { Context } from "hono";
import { jsonLimitProblem } from "../core/json-limits.ts";

/** A request the caller can fix (400 INVALID_REQUEST), found before any schema looked at it. */
export class BadRequest extends Error {}

/** The request's JSON body; an empty body is `{}`. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  return parseBody(text);
}

/** A JSON body, refused (400) when it does not parse or breaks the limits on outside JSON (depth, NUL characters). */
export function parseBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequest("the body is not JSON");
  }
  const problem = jsonLimitProblem(value);
  if (problem) throw new BadRequest(problem);
  return value;
}
