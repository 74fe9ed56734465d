/**
 * A catalog snapshot: everything one integration (MCP server) offered at one moment, in a
 * canonical order, so that its content hash changes exactly when what the server offers changes.
 */
import { z } from "zod";

export const JsonSchemaObject = z.record(z.string(), z.unknown());
export type JsonSchemaObject = z.infer<typeof JsonSchemaObject>;

export const ToolAnnotations = z.object({
  title: z.string().optional(),
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});
export type ToolAnnotations = z.infer<typeof ToolAnnotations>;

export const CatalogTool = z.object({
  name: z.string().min(1),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: JsonSchemaObject,
  outputSchema: JsonSchemaObject.optional(),
  annotations: ToolAnnotations.optional(),
  /** The hints the tenant's file set over the server's (already applied to `annotations`). */
  annotationOverrides: z
    .object({
      readOnly: z.boolean().optional(),
      destructive: z.boolean().optional(),
      idempotent: z.boolean().optional(),
      openWorld: z.boolean().optional(),
    })
    .optional(),
});
export type CatalogTool = z.infer<typeof CatalogTool>;

export const CatalogResource = z.object({
  uri: z.string(),
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  mimeType: z.string().optional(),
});
export type CatalogResource = z.infer<typeof CatalogResource>;

export const CatalogResourceTemplate = z.object({
  uriTemplate: z.string(),
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  mimeType: z.string().optional(),
});
export type CatalogResourceTemplate = z.infer<typeof CatalogResourceTemplate>;

export const CatalogPrompt = z.object({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  arguments: z
    .array(z.object({ name: z.string(), description: z.string().optional(), required: z.boolean().optional() }))
    .optional(),
});
export type CatalogPrompt = z.infer<typeof CatalogPrompt>;

export const ServerCapabilities = z.object({
  tools: z.object({ listChanged: z.boolean().optional() }).optional(),
  resources: z.object({ subscribe: z.boolean().optional(), listChanged: z.boolean().optional() }).optional(),
  prompts: z.object({ listChanged: z.boolean().optional() }).optional(),
  logging: z.object({}).optional(),
  completions: z.object({}).optional(),
});
export type ServerCapabilities = z.infer<typeof ServerCapabilities>;

export const CatalogContent = z.object({
  server: z.object({ name: z.string(), version: z.string(), title: z.string().optional() }),
  capabilities: ServerCapabilities,
  instructions: z.string().optional(),
  tools: z.array(CatalogTool),
  resources: z.array(CatalogResource),
  resourceTemplates: z.array(CatalogResourceTemplate),
  prompts: z.array(CatalogPrompt),
});
export type CatalogContent = z.infer<typeof CatalogContent>;

/** How an integration's credentials stand, as far as Charter can tell without printing them. */
export const CredentialState = z.enum(["ok", "missing", "refused", "not-required"]);
export type CredentialState = z.infer<typeof CredentialState>;
