/**
 * The console's role rules are the REST API's: an action may be taken by a holder of one of the
 * roles of the REST route that does the same (found in the route declarations by method and path),
 * and the services check the rest. There is no second rule set to drift from the first.
 */
import { CharterError } from "../core/errors.ts";
import type { Route } from "../server/route.ts";
import type { ConsoleSession } from "./session.ts";

export type RestRoles = (method: "get" | "post", path: string) => readonly string[] | undefined;

export function restRoles(routes: readonly Route[]): RestRoles {
  const roles = new Map<string, readonly string[] | undefined>();
  for (const route of routes) if (route.kind === "typed") roles.set(`${route.method} ${route.path}`, route.doc.roles);
  return (method, path) => {
    const key = `${method} ${path}`;
    if (!roles.has(key)) throw new Error(`the console names a REST route that does not exist: ${key}`);
    return roles.get(key);
  };
}

/** Whether the session may do what the REST route `method path` does (a route naming no role: any user). */
export function may(rules: RestRoles, session: ConsoleSession, method: "get" | "post", path: string): boolean {
  const needed = rules(method, path);
  return !needed || needed.length === 0 || needed.some((role) => session.roles.has(role as never));
}

/** Refuses (403) what the session may not do, in the words the REST API uses. */
export function mustMay(rules: RestRoles, session: ConsoleSession, method: "get" | "post", path: string): void {
  if (!may(rules, session, method, path))
    throw new CharterError(
      "NOT_AUTHORIZED",
      `this needs the ${(rules(method, path) ?? []).join(" or ")} role in tenant ${session.tenantId}`,
    );
}
