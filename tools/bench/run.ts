/** Entry point: node --expose-gc tools/dist/bench/run.js [options] (see options.ts). */
import { USAGE, UsageError, parseOptions } from "./options.js";
import { runSuite } from "./suite.js";

async function main(): Promise<void> {
  let o;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (o === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  await runSuite(o, (line) => process.stdout.write(`${line}\n`));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
