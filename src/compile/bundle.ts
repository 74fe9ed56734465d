/**
 * Bundles a checked workflow into one script for the isolate, in memory: the workflow, the SDK
 * functions it uses and the guest runtime. Imports resolve only to `charter:sdk`,
 * `charter:workflow` and `charter:bridge`; nothing is read from disk.
 *
 * `charter:sdk` is not the SDK's index here but a module made for this workflow: each namespace is
 * a frozen object holding only the functions the analysis found, each the same one-line call into
 * the bridge that the generated SDK has. No other tool's function exists in the script, even at
 * run time, and the large SDK sources are never parsed again for a bundle.
 * The script assigns the module's exports to `__charterWorkflow`; a source map comes beside it.
 */
import * as esbuild from "esbuild";
import { stringLiteral, textHash } from "../core/canonical-json.ts";
import { guestFiles } from "./guest-files.ts";

/** The global the bundled script assigns the workflow module's exports to. */
export const BUNDLE_GLOBAL = "__charterWorkflow";

/** `hash` is `sha256:` of the script's bytes: what an approval will name. */
export type Bundle = { code: string; sourceMap: string; bytes: number; hash: string };

const SDK = "charter-sdk";
const RUNTIME = "charter-runtime";

/** Per namespace: the functions the workflow uses and the tool each calls. */
export type SdkUse = ReadonlyMap<string, readonly { functionName: string; integration: string; tool: string }[]>;

export async function bundleWorkflow(source: string, fileName: string, use: SdkUse): Promise<Bundle> {
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
        if (local && args.namespace === RUNTIME && runtime.has(local)) return { path: local, namespace: RUNTIME };
        return { errors: [{ text: `"${args.path}" cannot be imported in a workflow` }] };
      });
      build.onLoad({ filter: /.*/, namespace: SDK }, () => ({ contents: entry, loader: "js" }));
      build.onLoad({ filter: /.*/, namespace: RUNTIME }, (args) => ({
        contents: runtime.get(args.path) ?? "",
        loader: "ts",
      }));
    },
  };
  const result = await esbuild.build({
    stdin: { contents: source, loader: "ts", sourcefile: fileName },
    bundle: true,
    write: false,
    outfile: "workflow.js",
    format: "iife",
    // Strict mode: a plain function's `this` is undefined, not the global object.
    banner: { js: '"use strict";' },
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
  return { code, sourceMap, bytes: Buffer.byteLength(code), hash: textHash(code) };
}

function sdkEntry(use: SdkUse): string {
  let text = 'import { callTool } from "charter:bridge";\n';
  for (const [namespace, functions] of use) {
    const members = functions.map(
      (f) =>
        `  ${f.functionName}: (args) => ` +
        `callTool(${stringLiteral(f.integration)}, ${stringLiteral(f.tool)}, args ?? {}),\n`,
    );
    text += `export const ${namespace} = Object.freeze({\n${members.join("")}});\n`;
  }
  return text;
}
