// Test support: drives Program from GNU-syntax text ("amoadd.d.aqrl a0, a1, (a2)") so one
// list of instructions can go both through Program and through riscv64-linux-gnu-as, and
// runs the cross binutils when they are installed.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Program } from "./asm.js";

export const GNU_AS = "/usr/bin/riscv64-linux-gnu-as";
export const GNU_OBJDUMP = "/usr/bin/riscv64-linux-gnu-objdump";
export const GNU_OBJCOPY = "/usr/bin/riscv64-linux-gnu-objcopy";
export const GNU_LD = "/usr/bin/riscv64-linux-gnu-ld";
export const haveBinutils = [GNU_AS, GNU_OBJDUMP, GNU_OBJCOPY, GNU_LD].every((f) => existsSync(f));

type Method = (...args: unknown[]) => unknown;

/** Emits one GNU-syntax instruction (no labels) into p through the matching method. */
export function emitText(p: Program, line: string): void {
  const m = /^\s*(\S+)\s*(.*)$/.exec(line);
  if (!m) throw new Error(`cannot parse ${line}`);
  let mnemonic = m[1]!;
  const operands = m[2]!.trim() ? m[2]!.split(",").map((s) => s.trim()) : [];
  const args: unknown[] = [];
  for (const op of operands) {
    const mem = /^(-?\w*)\((\w+)\)$/.exec(op);
    if (mem) {
      if (mem[1]) args.push(Number(mem[1]));
      args.push(mem[2]);
    } else if (/^-?(0x[0-9a-f]+|\d+)$/i.test(op)) {
      args.push(op.startsWith("-") ? -Number(op.slice(1)) : Number(op));
    } else {
      args.push(op);
    }
  }
  // AMO ordering suffixes become a trailing argument
  const order = /^(lr|sc|amo\w+)\.([wd])\.(aq|rl|aqrl)$/.exec(mnemonic);
  if (order) {
    mnemonic = `${order[1]}.${order[2]}`;
    args.push(order[3]);
  }
  const name = mnemonic.replace(/\./g, "_");
  const fn = (p as unknown as Record<string, Method | undefined>)[name];
  if (typeof fn !== "function") throw new Error(`Program has no method ${name} (from ${line})`);
  fn.apply(p, args);
}

/**
 * Assembles source text with GNU as, links it at `base` (so pc-relative address pairs get
 * filled in) and returns the .text section's bytes.
 */
export function gnuAssemble(source: string, march: "rv64g" | "rv64gc", base = 0x8000_0000n): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "vmstate-asm-"));
  try {
    writeFileSync(join(dir, "t.S"), `${source}\n`);
    execFileSync(GNU_AS, [`-march=${march}`, "-mabi=lp64d", "-mno-relax", "-o", join(dir, "t.o"), join(dir, "t.S")], { stdio: "pipe" });
    execFileSync(GNU_LD, ["-nostdlib", "-static", "--no-relax", `-Ttext=0x${base.toString(16)}`, "-e", "0", "-o", join(dir, "t.elf"), join(dir, "t.o")], { stdio: "pipe" });
    execFileSync(GNU_OBJCOPY, ["-O", "binary", "-j", ".text", join(dir, "t.elf"), join(dir, "t.bin")], { stdio: "pipe" });
    return new Uint8Array(readFileSync(join(dir, "t.bin")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The encoding of each instruction GNU as made from `lines` (one instruction per line), as hex. */
export function gnuEncodings(lines: readonly string[], march: "rv64g" | "rv64gc"): string[] {
  const dir = mkdtempSync(join(tmpdir(), "vmstate-asm-"));
  try {
    writeFileSync(join(dir, "t.S"), `${lines.join("\n")}\n`);
    execFileSync(GNU_AS, [`-march=${march}`, "-mabi=lp64d", "-mno-relax", "-o", join(dir, "t.o"), join(dir, "t.S")], { stdio: "pipe" });
    const dump = execFileSync(GNU_OBJDUMP, ["-d", "-M", "no-aliases", join(dir, "t.o")], { encoding: "utf8", maxBuffer: 64 << 20 });
    const out: string[] = [];
    for (const l of dump.split("\n")) {
      const m = /^\s*[0-9a-f]+:\s+([0-9a-f]{4}|[0-9a-f]{8})\s/.exec(l);
      if (m) out.push(m[1]!);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Hex of each instruction in an image, splitting on the RVC length rule (low bits != 11: 16-bit). */
export function splitInstructions(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; ) {
    const lo = bytes[i]! | (bytes[i + 1]! << 8);
    if ((lo & 3) !== 3) {
      out.push(lo.toString(16).padStart(4, "0"));
      i += 2;
    } else {
      const w = (lo | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
      out.push(w.toString(16).padStart(8, "0"));
      i += 4;
    }
  }
  return out;
}

/** "" when equal, else where two images first differ (short enough for a test failure message). */
export function firstDifference(ours: Uint8Array, theirs: Uint8Array): string {
  const n = Math.min(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    if (ours[i] !== theirs[i]) {
      const show = (b: Uint8Array) => Buffer.from(b.subarray(i & ~3, (i & ~3) + 8)).toString("hex");
      return `offset 0x${i.toString(16)}: ours ${show(ours)}, GNU ${show(theirs)}`;
    }
  }
  return ours.length === theirs.length ? "" : `lengths ${ours.length} (ours) and ${theirs.length} (GNU)`;
}
