/** API keys: an admin makes a key (and the user, with roles) or revokes one. */
import { z } from "zod";
import { CharterError } from "../../core/errors.ts";
import { type Route, route } from "../route.ts";
import type { RouteDeps } from "./index.ts";
import { Role } from "./schemas.ts";

const CreateKey = z
  .object({
    user: z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,63}$/),
    roles: z.array(Role).min(1),
  })
  .strict();

export function keyRoutes({ app }: RouteDeps): Route[] {
  const tag = "keys";
  return [
    route({
      method: "post",
      path: "/api/v1/tenants/:tenant/keys",
      tag,
      summary: "Makes an API key for a new user with roles in this tenant, or a new key for the caller.",
      description:
        "A key for another existing user is refused: that user makes it (or the server, with charter keys create), " +
        "so no one can act with another's identity.",
      access: "tenant",
      roles: ["admin"],
      body: CreateKey,
      responses: {
        201: {
          description: "the key, shown once",
          schema: z.object({ key: z.string(), user: z.string(), roles: z.array(Role), note: z.string() }),
        },
      },
      handle: async ({ caller, body }, reply) => {
        const { actor, tenantId } = caller;
        const existing = await app.identity.userByHandle(body.user);
        if (existing && existing.id !== actor.userId)
          throw new CharterError(
            "NOT_AUTHORIZED",
            `${body.user} already exists: a key for them is made by ${body.user} (or on the server with ` +
              "charter keys create), so no one can act with another's identity",
          );
        const user = existing ?? (await app.identity.ensureUser(body.user));
        for (const role of body.roles) {
          await app.identity.grant(tenantId, user.id, role, actor.userId);
          await app.versionRepository.record({
            tenantId,
            actorId: actor.userId,
            action: "role-granted",
            detail: { user: user.handle, role },
          });
        }
        const made = await app.identity.createKey(tenantId, user.id, actor.userId, caller.keyPrefix);
        await app.versionRepository.record({
          tenantId,
          actorId: actor.userId,
          action: "key-created",
          detail: { user: user.handle, prefix: made.slice(0, 12) },
        });
        return reply(201, {
          key: made,
          user: user.handle,
          roles: body.roles,
          note: "shown once; stored only as a hash",
        });
      },
    }),
    route({
      method: "delete",
      path: "/api/v1/tenants/:tenant/keys/:prefix",
      tag,
      summary: "Revokes a key of this tenant by its first 12 characters.",
      access: "tenant",
      roles: ["admin"],
      responses: { 200: { description: "revoked", schema: z.object({ revoked: z.string() }) } },
      handle: async ({ caller, params }, reply) => {
        const { prefix } = params;
        if (!/^chk_[A-Za-z0-9_-]{8}$/.test(prefix) || !(await app.identity.revokeKey(prefix, caller.tenantId)))
          throw new CharterError(
            "KEY_NOT_FOUND",
            `no active key ${prefix} in tenant ${caller.tenantId} (give the key's first 12 characters)`,
          );
        return reply(200, { revoked: prefix });
      },
    }),
  ];
}
