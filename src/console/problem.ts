/** A refused or failed action as a page shows it: Charter's message as text, with the REST API's status. */
import { CharterError } from "../core/errors.ts";
import { httpStatus } from "../server/http-status.ts";

export type Problem = { status: ReturnType<typeof httpStatus> | 400 | 429; message: string };

/** The problem a CharterError names; anything else is not the person's to act on and is thrown on. */
export function problemOf(error: unknown): Problem {
  if (error instanceof CharterError) return { status: httpStatus(error.code), message: error.message };
  throw error;
}
