/**
 * Sealing secrets Charter keeps in its database (OAuth tokens of integrations): AES-256-GCM with
 * a 32-byte key read from a file outside the database (CHARTER_SECRETS_KEY_FILE), made on first
 * use with mode 0600. Each sealed value is bound to where it is stored (its "context", as
 * additional authenticated data), names the key that sealed it by a fingerprint, and says so
 * when opened with another key instead of returning garbage.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../core/errors.ts";

const VERSION = "v1";

export class Sealer {
  readonly #key: Buffer;
  /** A fingerprint of the key (not the key): which key sealed a value. */
  readonly keyId: string;

  private constructor(key: Buffer) {
    this.#key = key;
    this.keyId = createHash("sha256").update(key).digest("hex").slice(0, 16);
  }

  /** The key in `file` (base64 of 32 bytes); made, readable by this user only, when the file does not exist. */
  static async fromFile(file: string): Promise<Sealer> {
    const text = await readFile(file, "utf8").catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
      await mkdir(path.dirname(file), { recursive: true });
      // Written whole beside it, then linked into place: no process ever reads a half-written key,
      // and of two making it at once one wins (the link fails for the other, which reads the winner's).
      const draft = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
      await writeFile(draft, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
      try {
        await link(draft, file).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== "EEXIST") throw e;
        });
      } finally {
        await unlink(draft).catch(() => undefined);
      }
      return readFile(file, "utf8");
    });
    const key = Buffer.from(text.trim(), "base64");
    if (key.length !== 32)
      throw new ConfigError(
        "ENV_INVALID",
        `the secrets key file ${file} must hold 32 bytes in base64 (it holds ${key.length}); ` +
          `restore it, or move it away to have a new one made (sealed secrets are then lost)`,
      );
    return new Sealer(key);
  }

  seal(value: unknown, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return [
      VERSION,
      this.keyId,
      iv.toString("base64url"),
      cipher.getAuthTag().toString("base64url"),
      body.toString("base64url"),
    ].join(".");
  }

  open(sealed: string, context: string): unknown {
    const [version, keyId, iv, tag, body] = sealed.split(".");
    if (version !== VERSION || !keyId || !iv || !tag || body === undefined)
      throw new ConfigError("ENV_INVALID", `a sealed secret of ${context} is not in a form this Charter reads`);
    if (keyId !== this.keyId)
      throw new ConfigError(
        "ENV_INVALID",
        `the secret of ${context} was sealed with another key (${keyId}, this one ` +
          `is ${this.keyId}): restore the key file CHARTER_SECRETS_KEY_FILE names, or authorize again`,
      );
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      const text = Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
      return JSON.parse(text) as unknown;
    } catch {
      throw new ConfigError(
        "ENV_INVALID",
        `the secret of ${context} does not open: it was altered, or belongs to another row`,
      );
    }
  }
}
