#!/usr/bin/env node
/** The `vmstate` command. Errors print as one line on stderr with a non-zero exit code. */
import { cac } from "cac";
import { isVmstateError } from "@vmstate/core";
import { inspect, type InspectFormat } from "./commands/inspect.js";
import { rewrite } from "./commands/rewrite.js";
import { runCommand } from "./commands/run.js";
import { saveCommand } from "./commands/save.js";
import { loadCommand } from "./commands/load.js";
import { parseCount, parseSize } from "./sizes.js";

function machineOptions(opts: Record<string, string | number | boolean | undefined>) {
  return {
    cpus: parseCount(opts.cpus as string | number, "--cpus"),
    memBytes: parseSize(String(opts.mem)),
    seed: parseCount(opts.seed as string | number, "--seed"),
    workload: true,
    features: opts.its ? ["its"] : [],
  };
}

const VERSION = "0.1.0";

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const cli = cac("vmstate");
  let action: Promise<void> | undefined;
  let exitCode = 0;

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

  cli
    .command("run", "Run a machine's workload, saving and restoring it along the way; check it ends as an uninterrupted run does")
    .option("--arch <arch>", "Architecture (riscv64, aarch64)", { default: "riscv64" })
    .option("--cpus <n>", "CPUs", { default: 1 })
    .option("--mem <size>", "Main RAM", { default: "256M" })
    .option("--cycles <n>", "Cycles per CPU", { default: 200000 })
    .option("--seed <n>", "Seed for the workload and the switch points", { default: 1 })
    .option("--switches <n>", "How many times to save and restore", { default: 3 })
    .option("--its", "aarch64: a GICv3 ITS, with a workload that maps devices and raises LPIs through it")
    .option("--migrate", "Switch by live migration every other time")
    .option("--timeline", "Print run-state transitions, change-state handlers and events with timestamps")
    .option("--snapshot-dir <dir>", "Write snapshots as files there instead of in memory")
    .action((opts: Record<string, string | number | boolean | undefined>) => {
      action = runCommand(
        {
          arch: String(opts.arch),
          ...machineOptions(opts),
          cycles: parseCount(opts.cycles as string | number, "--cycles"),
          switches: parseCount(opts.switches as string | number, "--switches"),
          migrate: Boolean(opts.migrate),
          timeline: Boolean(opts.timeline),
          ...(opts.snapshotDir ? { snapshotDir: String(opts.snapshotDir) } : {}),
        },
        out,
      ).then((code) => {
        exitCode = code;
      });
    });

  cli
    .command("save <file>", "Run a machine's workload, then save its state to a file (atomically)")
    .option("--arch <arch>", "Architecture", { default: "riscv64" })
    .option("--cpus <n>", "CPUs", { default: 1 })
    .option("--mem <size>", "Main RAM", { default: "256M" })
    .option("--cycles <n>", "Cycles per CPU before saving", { default: 100000 })
    .option("--seed <n>", "Seed for the workload", { default: 1 })
    .option("--its", "aarch64: a GICv3 ITS, with a workload that maps devices and raises LPIs through it")
    .option("--qemu", "Leave out state QEMU 7.2 cannot load (e.g. the FP flags it does not migrate)")
    .action((file: string, opts: Record<string, string | number | boolean | undefined>) => {
      action = saveCommand(
        { arch: String(opts.arch), ...machineOptions(opts), cycles: parseCount(opts.cycles as string | number, "--cycles"), qemu: Boolean(opts.qemu) },
        file,
        out,
      );
    });

  cli
    .command("load <file>", "Load a snapshot (ours or QEMU's) into a fresh machine and run it on")
    .option("--run <n>", "Cycles per CPU to run after loading", { default: 100000 })
    .action((file: string, opts: Record<string, string | number | undefined>) => {
      action = loadCommand(file, parseCount(opts.run as string | number, "--run"), out, (s) => process.stderr.write(s));
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
    return exitCode;
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
