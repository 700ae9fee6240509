#!/usr/bin/env node
/** The `vmstate` command. Errors print as one line on stderr with a non-zero exit code. */
import { cac } from "cac";
import { isVmstateError } from "@vmstate/core";
import { inspect, type InspectFormat } from "./commands/inspect.js";
import { rewrite } from "./commands/rewrite.js";

const VERSION = "0.1.0";

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const cli = cac("vmstate");
  let action: Promise<void> | undefined;

  cli
    .command("inspect <file>", "Summarise a QEMU migration stream (a file, a .gz, or - for stdin)")
    .option("--json", "Print the whole decoded model as JSON")
    .option("--analyze", "Print what QEMU's analyze-migration.py prints (it works on aarch64 streams too)")
    .action((file: string, opts: { json?: boolean; analyze?: boolean }) => {
      const format: InspectFormat = opts.analyze ? "analyze" : opts.json ? "json" : "summary";
      action = inspect(file, format, out);
    });

  cli
    .command("rewrite <in> <out>", "Decode a stream into the model and encode it again (byte-identical for QEMU 7.2 streams)")
    .action((input: string, output: string) => {
      action = rewrite(input, output).then((r) => {
        out(`rewrote ${r.bytesIn} bytes into ${output} (${r.bytesOut} bytes) in ${r.seconds.toFixed(3)} s\n`);
      });
    });

  cli.help();
  cli.version(VERSION);
  try {
    cli.parse(["node", "vmstate", ...argv], { run: false });
    if (!cli.matchedCommand) {
      if (cli.options.help || cli.options.version) return 0;
      cli.outputHelp();
      return argv.length ? 2 : 0;
    }
    await cli.runMatchedCommand();
    await action;
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${describeError(e)}\n`);
    return isVmstateError(e) ? 1 : 2;
  }
}

function describeError(e: unknown): string {
  if (isVmstateError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

const invokedDirectly = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/cli.js");
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`error: ${describeError(e)}\n`);
      process.exit(2);
    },
  );
}
