/** The audit pages (being built). */
import type { Hono } from "hono";
import type { ConsoleOptions } from "../index.ts";
import type { ConsoleVars } from "../session.ts";

export function registerAudit(_console: Hono<ConsoleVars>, _options: ConsoleOptions): void {}
