export { catalogHashOf, generateSdk, effectiveAnnotations, namespaceIdentifier } from "./generate.ts";
export type { EffectiveAnnotations, GeneratedSdk, SdkIntegration, SdkTool } from "./generate.ts";
export { schemaToType } from "./schema-to-type.ts";
export type { TypeContext } from "./schema-to-type.ts";
export { camelIdentifier, pascalIdentifier, NameRegistry } from "./identifiers.ts";
