/**
 * The console's two static files: its style sheet, and its script (src/console/client/, bundled
 * with esbuild when the server starts). Pages work without the script; it adds live updates.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

export type Asset = { type: string; body: string };

export async function consoleAssets(): Promise<Map<string, Asset>> {
  const here = import.meta.dirname;
  const bundled = await build({
    entryPoints: [path.join(here, "client", "console.ts")],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
    minify: true,
    legalComments: "none",
  });
  const script = bundled.outputFiles[0]?.text ?? "";
  const css = await readFile(path.join(here, "assets", "console.css"), "utf8");
  return new Map([
    ["console.css", { type: "text/css; charset=utf-8", body: css }],
    ["console.js", { type: "text/javascript; charset=utf-8", body: script }],
  ]);
}
