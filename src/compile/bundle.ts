/**
 * Bundles a checked workflow into one script for the isolate, in memory: the workflow, the SDK
 * functions it uses and the guest runtime. Imports resolve only to `charter:sdk`,
 * `charter:workflow` and `charter:bridge`; nothing is read from disk.
 *
 * `charter:sdk` is not the SDK's index here but a module made for this workflow: each namespace is
 * a frozen object holding only the functions the analysis found, so the rest of the SDK is
 * tree-shaken away and, even at run time, no other tool's function exists in the script.
 * The script assigns the module's exports to `__charterWorkflow`; a source map comes beside it.
 */
import { createHash } from "node:crypto";
import * as esbuild from "esbuild";
import { guestFiles } from "./guest-files.ts";

/** The global the bundled script assigns the workflow module's exports to. */
export const BUNDLE_GLOBAL = "__charterWorkflow";

/** `hash` is `sha256:` of the script's bytes: what an approval will name. */
export type Bundle = { code: string; sourceMap: string; bytes: number; hash: string };

const SDK = "charter-sdk";
const RUNTIME = "charter-runtime";

/** Per namespace: the integration module it comes from and the functions the workflow uses. */
export type SdkUse = ReadonlyMap<string, { module: string; functions: readonly string[] }>;

/** @param sdkSources the SDK's `.ts` files by name (`tickets.ts`). */
export async function bundleWorkflow(source: string, fileName: string, sdkSources: ReadonlyMap<string, string>, use: SdkUse): Promise<Bundle> {
  const runtime = guestFiles().runtime;
  const entry = sdkEntry(use);
  const plugin: esbuild.Plugin = {
    name: "charter-modules",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.path === "charter:sdk") return { path: "charter:sdk", namespace: SDK };
        if (args.path === "charter:workflow") return { path: "workflow.ts", namespace: RUNTIME };
        if (args.path === "charter:bridge") return { path: "bridge.ts", namespace: RUNTIME };
        const local = /^\.\/([^/]+\.ts)$/.exec(args.path)?.[1];
        if (local && args.namespace === SDK && sdkSources.has(local)) return { path: local, namespace: SDK };
        if (local && args.namespace === RUNTIME && runtime.has(local)) return { path: local, namespace: RUNTIME };
        return { errors: [{ text: `"${args.path}" cannot be imported in a workflow` }] };
      });
      build.onLoad({ filter: /.*/, namespace: SDK }, (args) => ({ contents: args.path === "charter:sdk" ? entry : (sdkSources.get(args.path) ?? ""), loader: "ts" }));
      build.onLoad({ filter: /.*/, namespace: RUNTIME }, (args) => ({ contents: runtime.get(args.path) ?? "", loader: "ts" }));
    },
  };
  const result = await esbuild.build({
    stdin: { contents: source, loader: "ts", sourcefile: fileName },
    bundle: true,
    write: false,
    outfile: "workflow.js",
    format: "iife",
    globalName: BUNDLE_GLOBAL,
    platform: "neutral",
    target: "es2023",
    treeShaking: true,
    sourcemap: "external",
    sourcesContent: true,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
    plugins: [plugin],
  });
  const code = result.outputFiles.find((file) => file.path.endsWith(".js"))?.text ?? "";
  const sourceMap = result.outputFiles.find((file) => file.path.endsWith(".map"))?.text ?? "";
  return { code, sourceMap, bytes: Buffer.byteLength(code), hash: `sha256:${createHash("sha256").update(code).digest("hex")}` };
}

function sdkEntry(use: SdkUse): string {
  let text = "";
  for (const [namespace, { module, functions }] of use) {
    if (functions.length > 0) text += `import { ${functions.join(", ")} } from "./${module}";\n`;
    text += `export const ${namespace} = Object.freeze({ ${functions.join(", ")} });\n`;
  }
  return text;
}
