/**
 * Webhooks: a workflow's webhook address and secret, and the signed endpoint itself, which runs
 * only an approved version that declares a webhook trigger (signatures: src/server/webhooks.ts).
 */
import { z } from "zod";
import { CharterError } from "../../core/errors.ts";
import { BadRequest, parseBody } from "../body.ts";
import { type Route, route } from "../route.ts";
import { REPLAY_WINDOW_S, verify, webhookSecret } from "../webhooks.ts";
import type { RouteDeps } from "./index.ts";
import { ErrorBody, Json, RunError, RunStatus, Uuid } from "./schemas.ts";

const SIGNATURE = 'x-charter-signature: sha256=HMAC_SHA256(secret, "<x-charter-timestamp>.<body>")';

export function hookRoutes({ app, dispatcher, webhookKey }: RouteDeps): Route[] {
  return [
    route({
      method: "get",
      path: "/api/v1/tenants/:tenant/workflows/:workflow/webhook",
      tag: "webhooks",
      summary: "The workflow's webhook address, its secret, and how to sign a delivery.",
      access: "tenant",
      roles: ["operator", "admin"],
      responses: {
        200: {
          description: "where and how to send",
          schema: z.object({ url: z.string(), secret: z.string(), signature: z.string() }),
        },
      },
      handle: async ({ caller, params }, reply) => {
        const { tenantId } = caller;
        const secret = webhookSecret(webhookKey, tenantId, params.workflow);
        return reply(200, { url: `/hooks/${tenantId}/${params.workflow}`, secret, signature: SIGNATURE });
      },
    }),
    route({
      method: "post",
      path: "/hooks/:tenant/:workflow",
      tag: "webhooks",
      summary: "Signed webhook: runs the workflow's approved version with the body as its input.",
      description:
        "Sign `<x-charter-timestamp>.<body>` with the workflow's secret and send it as x-charter-signature. " +
        `A delivery more than ${REPLAY_WINDOW_S} s off is refused as a replay; a repeat within the window is ` +
        "answered without a second run.",
      access: "public",
      rawBody: { description: "the run's input, checked against the workflow's input schema", schema: Json },
      responses: {
        200: {
          description: "a repeat of a delivery already taken: no second run",
          schema: z.object({ duplicate: z.literal(true), run: z.null() }),
        },
        202: {
          description: "queued (job), or run inline when the server has no dispatcher (run)",
          schema: z.union([
            z.object({ job: Uuid, run: z.null() }),
            z.object({
              run: z.object({ id: Uuid, status: RunStatus, output: Json.optional(), error: RunError.nullable() }),
            }),
          ]),
        },
        401: { description: "a missing, bad or stale signature", schema: ErrorBody },
      },
      handle: async ({ params, c }, reply) => {
        const { tenant: tenantId, workflow } = params;
        const raw = Buffer.from(await c.req.arrayBuffer());
        const signature = c.req.header("x-charter-signature");
        const secret = webhookSecret(webhookKey, tenantId, workflow);
        const problem = verify(secret, c.req.header("x-charter-timestamp"), signature, raw);
        if (problem) return reply(401, { error: { code: "BAD_SIGNATURE", message: problem, retryable: false } });
        let body: string;
        try {
          body = new TextDecoder("utf-8", { fatal: true }).decode(raw);
        } catch {
          throw new BadRequest("the body is not valid UTF-8");
        }
        const version = /^[a-z0-9][a-z0-9-]*$/.test(tenantId)
          ? await app.versionRepository.activeVersion(tenantId, workflow)
          : undefined;
        const declared = (version?.triggers as { triggers?: { type: string }[] } | undefined)?.triggers ?? [];
        if (!version || !declared.some((trigger) => trigger.type === "webhook"))
          throw new CharterError("VERSION_NOT_FOUND", `no approved workflow ${workflow} with a webhook trigger`);
        const input = parseBody(body);
        // The same signed delivery twice within the window starts one run, whichever server process
        // gets it: a sender's retry is answered, not repeated. A run that cannot start gives it back.
        const delivery = { tenantId, workflow, signature: signature ?? "" };
        if (!(await app.runRepository.claimDelivery(delivery, new Date(), REPLAY_WINDOW_S * 2000)))
          return reply(200, { duplicate: true, run: null });
        try {
          if (dispatcher) {
            const job = await dispatcher.submit({ tenantId, workflow, input, trigger: "webhook" }, version);
            return reply(202, { job, run: null });
          }
          const run = await app.versions.runActive({ tenantId, workflow, input, trigger: { type: "webhook" } });
          return reply(202, { run: { id: run.runId, status: run.status, output: run.output, error: run.error } });
        } catch (error) {
          await app.runRepository.releaseDelivery(delivery);
          throw error;
        }
      },
    }),
  ];
}
