/**
 * One typed way to declare a route: its method and path, who may call it, zod schemas for its
 * query, body and every answer, and a handler whose input is typed from those schemas. The same
 * declaration registers the route (src/server/http-app.ts) and describes it in the OpenAPI
 * document (src/server/openapi.ts), so the two cannot disagree.
 *
 * Answers are typed, not parsed: a handler builds each answer from the fields its schema names
 * (rows are mapped in src/server/routes/views.ts), and test/openapi.test.ts checks served answers
 * against the document. Parsing them at run time would turn a stray field into a 500.
 */
import type { Context, Handler, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { Role, UserRow } from "../store/index.ts";
import type { Actor } from "../versions/index.ts";
import { readJson } from "./body.ts";
import { PATH_PARAMETERS, type PathParameter } from "./routes/schemas.ts";

/** What the tenant middleware (src/server/middleware.ts) puts on a request it let through. */
export type Vars = { Variables: { actor: Actor; tenantId: string; user: UserRow; keyPrefix: string } };

export type Method = "get" | "post" | "delete";

/** The `:name` segments of a route path. */
export type PathParams<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParams<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;

export type ResponseSpec = { description: string; schema: z.ZodType };
export type Responses = { [S in ContentfulStatusCode]?: ResponseSpec };

/**
 * "public": anyone. "tenant": a key of the path's tenant (the middleware answers 401 or 404
 * otherwise), holding one of `roles` when the route names some.
 */
export type Access = "public" | "tenant";

/** The caller of a tenant route, as its key says. */
export type Caller = { tenantId: string; actor: Actor; keyPrefix: string };

/** An answer, made by the `reply` a handler is given. */
export type Reply = { readonly status: ContentfulStatusCode; readonly body: object };

/** Makes an answer with one of the route's declared statuses, its body typed by that status's schema. */
export type Replier<R extends Responses> = <S extends keyof R & ContentfulStatusCode>(
  status: S,
  body: R[S] extends ResponseSpec ? z.input<R[S]["schema"]> : never,
) => Reply;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export type RouteInput<Path extends string, A extends Access, Q, B> = {
  params: { [K in PathParams<Path>]: string };
  query: Parsed<Q>;
  body: Parsed<B>;
  caller: A extends "tenant" ? Caller : undefined;
  /** The request itself, for what no schema covers (headers, the raw bytes of a signed body). */
  c: Context<Vars>;
};

/** A JSON body the handler reads itself (a signed webhook's bytes), described for the document only. */
export type RawBody = { description: string; schema: z.ZodType };

export type RouteDefinition<Path extends string, A extends Access, Q, B, R extends Responses> = {
  method: Method;
  path: Path;
  /** Groups operations in the document. */
  tag: string;
  summary: string;
  description?: string;
  /** By default made from the method and the path (getVersionsRef). */
  operationId?: string;
  access: A;
  roles?: readonly Role[];
  query?: Q;
  body?: B;
  rawBody?: RawBody;
  responses: R;
  handle: (input: RouteInput<Path, A, Q, B>, reply: Replier<R>) => Promise<Reply>;
};

/** What the document needs to know of an operation. */
export type OperationDoc = {
  tag: string;
  summary: string;
  description?: string | undefined;
  operationId?: string | undefined;
  access: Access;
  roles?: readonly Role[] | undefined;
  query?: z.ZodObject | undefined;
  body?: z.ZodType | undefined;
  rawBody?: RawBody | undefined;
  responses: Responses;
};

/** An operation served by a handler of its own (MCP), documented by hand: its responses have no schema. */
export type RawOperationDoc = {
  tag: string;
  summary: string;
  description: string;
  access: Access;
  responses: Record<string, string>;
};

/** A declared route, its types erased: what registration and the document take. */
export type Route =
  | { kind: "typed"; method: Method; path: string; doc: OperationDoc; serve: (c: Context<Vars>) => Promise<Response> }
  | { kind: "raw"; method: "all"; path: string; docs: Partial<Record<Method, RawOperationDoc>>; serve: Handler<Vars> };

/** Declares a route; the handler's input and answers are typed from the schemas beside it. */
export function route<
  const Path extends string,
  A extends Access,
  R extends Responses,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  definition: RouteDefinition<Path, A, Q, B, R> & { path: PathParams<Path> extends PathParameter ? Path : never },
): Route {
  const names = [...definition.path.matchAll(/:(\w+)/g)].map((match) => match[1] ?? "");
  const unknown = names.filter((name) => !(name in PATH_PARAMETERS));
  if (unknown.length > 0) throw new Error(`${definition.path}: no PATH_PARAMETERS entry for ${unknown.join(", ")}`);
  const { handle, method, path, ...doc } = definition;
  const reply = (status: ContentfulStatusCode, body: object): Reply => ({ status, body });
  return {
    kind: "typed",
    method,
    path,
    doc,
    serve: async (c) => {
      const params = Object.fromEntries(names.map((name) => [name, c.req.param(name) ?? ""]));
      // The body before the query, as the handlers did before they were declared here.
      const body = definition.body?.parse(await readJson(c));
      const query = definition.query?.parse(c.req.query());
      const caller: Caller | undefined =
        definition.access === "tenant"
          ? { tenantId: c.get("tenantId"), actor: c.get("actor"), keyPrefix: c.get("keyPrefix") }
          : undefined;
      // The one place the erased generics meet: each value was parsed by the schema its type names.
      const input = { params, query, body, caller, c } as RouteInput<Path, A, Q, B>;
      const answer = await handle(input, reply as Replier<R>);
      return c.json(answer.body, answer.status);
    },
  };
}

/** Declares an operation served by its own hono handler for all methods (MCP), documented per method. */
export function rawRoute(path: string, docs: Partial<Record<Method, RawOperationDoc>>, serve: Handler<Vars>): Route {
  return { kind: "raw", method: "all", path, docs, serve };
}

/** Registers routes on the app, checking a tenant route's roles before anything else. */
export function register(
  http: Hono<Vars>,
  routes: readonly Route[],
  requireRole: (c: Context<Vars>, roles: readonly Role[]) => Promise<void>,
): void {
  for (const declared of routes) {
    if (declared.kind === "raw") {
      http.all(declared.path, declared.serve);
      continue;
    }
    if (declared.doc.access === "tenant" && !declared.path.startsWith("/api/v1/tenants/:tenant/"))
      throw new Error(
        `${declared.path}: a tenant route must be under /api/v1/tenants/:tenant/ (its key is checked there)`,
      );
    const roles = declared.doc.roles;
    http.on(declared.method.toUpperCase(), declared.path, async (c) => {
      if (roles) await requireRole(c, roles);
      return declared.serve(c);
    });
  }
}
