#!/usr/bin/env node
// The `charter` command. Plain JavaScript so that an older Node.js gets a clear message instead
// of a syntax error; the real work is in main.ts, which Node.js 24 runs with type stripping.
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(
    `charter: Node.js ${process.versions.node} is too old; Charter needs Node.js 24 or newer.\n` +
      "Run it through npm (npm run charter -- <command>), which fetches Node.js 24 when needed, or install Node.js 24.",
  );
  process.exit(1);
}
// isolated-vm needs Node.js started with --no-node-snapshot; start again with it when missing
// (not for help, which never runs a workflow).
const args = process.argv.slice(2);
const helpOnly = args.length === 0 || args[0] === "help" || args.includes("--help") || args.includes("-h");
if (!helpOnly && !process.execArgv.includes("--no-node-snapshot")) {
  const { spawn } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const again = ["--no-node-snapshot", ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  const child = spawn(process.execPath, again, { stdio: "inherit" });
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"]))
    process.on(signal, () => child.kill(signal));
  /** @type {[number | null, NodeJS.Signals | null]} */
  const [code, signal] = await new Promise((resolve) => child.on("exit", (...result) => resolve(result)));
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
}
// A reader that stops early (`charter check … | head`) is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
