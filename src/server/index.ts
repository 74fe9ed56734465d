export { createHttpApp } from "./http-app.ts";
export type { LogLine } from "./http-app.ts";
export { sign, verify, webhookSecret } from "./webhooks.ts";
