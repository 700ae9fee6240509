/** Command-line options of run.ts. */
export interface BenchOptions {
  runs: number;
  quick: boolean;
  /** Benchmark names to run (all when undefined). */
  only: string[] | undefined;
  /** Stream to parse and rebuild instead of the default one. */
  stream: string | undefined;
  /** analyze-migration.py to compare with instead of the cached one. */
  analyze: string | undefined;
  /** Directory for V8 CPU profiles of the decode child processes. */
  cpuProfDir: string | undefined;
}

export const USAGE = `usage: node --expose-gc tools/dist/bench/run.js [options]   (or: pnpm bench -- [options])

Times the stream codec against plain I/O and against QEMU's analyze-migration.py.

  --runs N          measured runs per contender, median reported (default 5; one warm-up run comes first)
  --quick           a synthetic 64 MiB stream written to tools/bench/work/ instead of the QEMU one (seconds, no QEMU)
  --only A,B        just these benchmarks (parse, parse-warm, write, write-scan, riscv-mips, aarch64-mips, riscv-save-restore)
  --stream FILE     parse and rebuild FILE instead of tools/bench/work/riscv64-virt-1024m-fill512m.mig
  --analyze PATH    QEMU's scripts/analyze-migration.py (default: found under tools/fixtures/out/qemu-src/)
  --cpu-prof DIR    write a V8 CPU profile of every decode child process into DIR (slows them down)
  -h, --help        this text`;

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[]): BenchOptions | "help" {
  const o: BenchOptions = { runs: 5, quick: false, only: undefined, stream: undefined, analyze: undefined, cpuProfDir: undefined };
  const args = [...argv];
  const value = (flag: string): string => {
    const v = args.shift();
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  while (args.length) {
    const a = args.shift()!;
    switch (a) {
      case "--":
        break; // `pnpm bench -- --quick` may pass the separator through
      case "-h":
      case "--help":
        return "help";
      case "--runs": {
        const n = Number(value(a));
        if (!Number.isInteger(n) || n < 1) throw new UsageError("--runs needs a whole number of at least 1");
        o.runs = n;
        break;
      }
      case "--quick":
        o.quick = true;
        break;
      case "--only":
        o.only = value(a).split(",").filter(Boolean);
        break;
      case "--stream":
        o.stream = value(a);
        break;
      case "--analyze":
        o.analyze = value(a);
        break;
      case "--cpu-prof":
        o.cpuProfDir = value(a);
        break;
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  return o;
}
