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
// A reader that stops early (`charter check … | head`) is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
