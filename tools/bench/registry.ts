/**
 * Every benchmark, in the order run.ts runs them. A new one is a Benchmark
 * in a module of its own, added here.
 */
import type { Benchmark } from "./harness.js";
import { parseBenchmark, parseWarmBenchmark } from "./parse.js";
import { writeBenchmark, writeScanBenchmark } from "./write.js";
import { aarch64MipsBenchmark, riscvMipsBenchmark, riscvSaveRestoreBenchmark } from "./machines.js";

export const BENCHMARKS: readonly Benchmark[] = [parseBenchmark, parseWarmBenchmark, writeBenchmark, writeScanBenchmark, riscvMipsBenchmark, aarch64MipsBenchmark, riscvSaveRestoreBenchmark];
