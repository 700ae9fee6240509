/**
 * Every benchmark, in the order run.ts runs them. A new one (interpreter
 * MIPS, save+restore of a 256 MiB machine) is a Benchmark in a module of
 * its own, added here.
 */
import type { Benchmark } from "./harness.js";
import { parseBenchmark } from "./parse.js";
import { writeBenchmark, writeScanBenchmark } from "./write.js";

export const BENCHMARKS: readonly Benchmark[] = [parseBenchmark, writeBenchmark, writeScanBenchmark];
