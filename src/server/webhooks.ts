/**
 * Webhook signatures. Each workflow's webhook secret is derived from one server key (HMAC of the
 * tenant and workflow), so no secret is stored per workflow; the key comes from
 * CHARTER_WEBHOOK_KEY or a file made once in the data folder. A request carries
 * `x-charter-timestamp` (unix seconds) and `x-charter-signature: sha256=<hex>` over
 * "<timestamp>.<body>"; requests outside a five-minute window are refused as replays, and a repeat
 * inside it is caught by the delivery claimed in the database (RunRepository.claimDelivery).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export const REPLAY_WINDOW_S = 300;

export async function webhookKey(dataDir: string, fromEnv: string | undefined): Promise<Buffer> {
  if (fromEnv) return Buffer.from(fromEnv);
  const file = path.join(dataDir, "webhook.key");
  const existing = await readFile(file).catch(() => undefined);
  if (existing && existing.length >= 32) return existing;
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, key, { mode: 0o600, flag: "wx" }).catch(async () => undefined);
  return (await readFile(file).catch(() => key)) ?? key;
}

export function webhookSecret(key: Buffer, tenantId: string, workflow: string): string {
  return createHmac("sha256", key).update(`${tenantId}/${workflow}`).digest("hex");
}

/** The signature over "<timestamp>.<body>", the body as the bytes that were sent. */
export function sign(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

/** Why a signed request is refused, or undefined when it is good. */
export function verify(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  body: string | Buffer,
  nowS = Date.now() / 1000,
): string | undefined {
  if (!timestamp || !signature) return "missing x-charter-timestamp or x-charter-signature";
  const at = Number(timestamp);
  if (!Number.isFinite(at) || Math.abs(nowS - at) > REPLAY_WINDOW_S)
    return `the timestamp is outside the ${REPLAY_WINDOW_S}-second window (a replay, or a clock far off)`;
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "the signature does not match";
  return undefined;
}
