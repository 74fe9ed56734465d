/** Sign in with an API key (the session is the key's user and tenant), and sign out. */
import type { Hono } from "hono";
import { html } from "hono/html";
import type { App } from "../../app.ts";
import { page } from "../layout.ts";
import {
  type ConsoleVars,
  endSession,
  sameToken,
  sessionOf,
  signInAllowed,
  signInToken,
  startSession,
} from "../session.ts";

/** Only a path of the console itself is followed after signing in (never another site). */
function nextPath(value: unknown): string {
  return typeof value === "string" && /^\/console(?:\/[\w\-./%?=&]*)?$/.test(value) && !value.includes("//")
    ? value
    : "/console";
}

function form(token: string, next: string, problem?: string) {
  return page({
    title: "Sign in",
    body: html`<form class="card narrow" method="post" action="/console/sign-in">
  ${problem ? html`<p class="problem" role="alert">${problem}</p>` : ""}
  <p>Sign in with an API key from <code>charter keys create</code> (or an admin's <code>POST …/keys</code>).
  You act as the key's user in its tenant, with that user's roles.</p>
  <label for="key">API key</label>
  <input id="key" name="key" type="password" autocomplete="off" required maxlength="200">
  <input type="hidden" name="csrf" value="${token}">
  <input type="hidden" name="next" value="${next}">
  <button type="submit">Sign in</button>
</form>`,
  });
}

export function registerSignIn(console: Hono<ConsoleVars>, app: App): void {
  console.get("/sign-in", (c) => c.html(form(signInToken(c), nextPath(c.req.query("next")))));
  console.post("/sign-in", async (c) => {
    const body = await c.req.parseBody();
    const next = nextPath(body["next"]);
    if (!signInAllowed(c, body["csrf"])) {
      c.status(403);
      return c.html(form(signInToken(c), next, "The form was stale or not sent from this page; sign in again."));
    }
    const key = typeof body["key"] === "string" ? body["key"].trim() : "";
    if (!key || !(await startSession(app, c, key))) {
      c.status(401);
      return c.html(form(signInToken(c), next, "That key is unknown or revoked."));
    }
    return c.redirect(next, 303);
  });
  console.post("/sign-out", async (c) => {
    const body = await c.req.parseBody();
    // Signing out needs the session's CSRF token too: another site cannot end a session.
    const session = await sessionOf(app, c);
    if (session && !(typeof body["csrf"] === "string" && sameToken(body["csrf"], session.csrf)))
      return c.text("Refused: the form's CSRF token is missing or wrong. Reload the page and sign out again.", 403);
    if (session) await endSession(app, c);
    return c.redirect("/console/sign-in", 303);
  });
}
