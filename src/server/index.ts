export { createHttpApp } from "./http-app.ts";
export { sign, verify, webhookSecret } from "./webhooks.ts";
