// Test support: drives Program from GNU-syntax text ("ldr x0, [x1, #8]!") so one list of
// instructions can go both through Program and through aarch64-linux-gnu-as, and runs the
// cross binutils when they are installed.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Program } from "./asm.js";
import type { XReg } from "./regs.js";

export const GNU_AS = "/usr/bin/aarch64-linux-gnu-as";
export const GNU_OBJDUMP = "/usr/bin/aarch64-linux-gnu-objdump";
export const GNU_OBJCOPY = "/usr/bin/aarch64-linux-gnu-objcopy";
export const GNU_LD = "/usr/bin/aarch64-linux-gnu-ld";
export const haveBinutils = [GNU_AS, GNU_OBJDUMP, GNU_OBJCOPY, GNU_LD].every((f) => existsSync(f));
/** GNU as needs this for the LSE atomics (the DSL assembles them regardless). */
export const MARCH = "armv8.2-a";

type Method = (...args: unknown[]) => unknown;

/** Splits operands at top-level commas (not inside brackets). */
function splitOperands(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "[") depth++;
    if (ch === "]") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function imm(s: string): number | bigint {
  const t = s.replace(/^#/, "");
  if (/^-?\d+\.\d+(e-?\d+)?$/.test(t)) return Number(t);
  const neg = t.startsWith("-");
  const body = neg ? t.slice(1) : t;
  const big = BigInt(body);
  const v = neg ? -big : big;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const isImm = (s: string) => /^#?-?(0x[0-9a-f]+|\d+(\.\d+)?)$/i.test(s);

/** Emits one GNU-syntax instruction, or a "name:" label, into p through the matching method. */
export function emitText(p: Program, line: string): void {
  const text = line.replace(/\/\/.*$/, "").trim();
  if (!text) return;
  const lab = /^([.\w]+):\s*(.*)$/.exec(text);
  if (lab) {
    p.label(lab[1]!);
    if (lab[2]) emitText(p, lab[2]);
    return;
  }
  const dir = /^\.(quad|word|balign|align)\s+(.*)$/.exec(text);
  if (dir) {
    const v = dir[2]!.trim();
    if (dir[1] === "quad") p.quad(isImm(v) ? imm(v) : v);
    else if (dir[1] === "word") p.word(isImm(v) ? imm(v) : v);
    else p.align(Number(v), "zero");
    return;
  }
  const lo12 = /^add\s+(\w+),\s*(\w+),\s*#?:lo12:([.\w]+)$/.exec(text);
  if (lo12) {
    p.add_lo12(lo12[1] as XReg, lo12[2] as XReg, lo12[3]!);
    return;
  }
  const m = /^(\S+)\s*(.*)$/.exec(text)!;
  const mnemonic = m[1]!.toLowerCase();
  const ops = splitOperands(m[2]!);
  const args: unknown[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const mem = /^\[(.*)\](!?)$/.exec(op);
    if (mem) {
      const inner = splitOperands(mem[1]!).map((x) => (isImm(x) ? imm(x) : x));
      args.push(inner);
      if (mem[2]) args.push("!");
      continue;
    }
    if (/^(lsl|lsr|asr|ror|[us]xt[bhwx])\b/.test(op) && i > 0) {
      args.push(op.replace(/\s+/, " "));
      continue;
    }
    if (isImm(op)) {
      args.push(imm(op));
      continue;
    }
    args.push(op);
  }
  // b.cond
  const bc = /^b\.(\w+)$/.exec(mnemonic);
  if (bc) {
    (p as unknown as { b_cond: Method }).b_cond(bc[1], ...args);
    return;
  }
  // LSE: ldadd{a,l,al}{b,h}, swp..., cas...
  const lse = /^(ldadd|ldclr|ldeor|ldset|ldsmax|ldsmin|ldumax|ldumin|swp|cas)(a|l|al)?(b|h)?$/.exec(mnemonic);
  if (lse) {
    const order = lse[2] ?? "";
    const size = lse[3] ?? "";
    if (lse[1] === "cas") (p as unknown as { cas: Method }).cas(args[0], args[1], args[2], order, size);
    else (p as unknown as { atomic: Method }).atomic(lse[1], order, args[0], args[1], args[2], size);
    return;
  }
  const fn = (p as unknown as Record<string, Method | undefined>)[mnemonic];
  if (typeof fn !== "function") throw new Error(`Program has no method ${mnemonic} (from ${line})`);
  fn.apply(p, args);
}

function run(source: string, then: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "vmstate-a64asm-"));
  try {
    writeFileSync(join(dir, "t.S"), `${source}\n`);
    execFileSync(GNU_AS, [`-march=${MARCH}`, "-o", join(dir, "t.o"), join(dir, "t.S")], { stdio: "pipe" });
    then(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Assembles source text with GNU as, links it at `base` and returns the .text bytes. */
export function gnuAssemble(source: string, base = 0x4020_0000n): Uint8Array {
  let out = new Uint8Array();
  run(source, (dir) => {
    execFileSync(GNU_LD, ["-nostdlib", "-static", `-Ttext=0x${base.toString(16)}`, "-e", "0", "-o", join(dir, "t.elf"), join(dir, "t.o")], { stdio: "pipe" });
    execFileSync(GNU_OBJCOPY, ["-O", "binary", "-j", ".text", join(dir, "t.elf"), join(dir, "t.bin")], { stdio: "pipe" });
    out = new Uint8Array(readFileSync(join(dir, "t.bin")));
  });
  return out;
}

/** The encoding GNU as makes of each line (one instruction per line), as 8 hex digits. */
export function gnuEncodings(lines: readonly string[]): string[] {
  const out: string[] = [];
  run(lines.join("\n"), (dir) => {
    const dump = execFileSync(GNU_OBJDUMP, ["-d", join(dir, "t.o")], { encoding: "utf8", maxBuffer: 64 << 20 });
    for (const l of dump.split("\n")) {
      const m = /^\s*[0-9a-f]+:\s+([0-9a-f]{8})\s/.exec(l);
      if (m) out.push(m[1]!);
    }
  });
  return out;
}

/** The 32-bit words of an image, as 8 hex digits each. */
export function words(bytes: Uint8Array): string[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(dv.getUint32(i, true).toString(16).padStart(8, "0"));
  return out;
}

/** objdump's disassembly of raw A64 code at `base`, one line per instruction ("mnemonic operands"). */
export function gnuDisassemble(code: Uint8Array, base: bigint): string[] {
  const dir = mkdtempSync(join(tmpdir(), "vmstate-a64dis-"));
  try {
    writeFileSync(join(dir, "c.bin"), code);
    const dump = execFileSync(GNU_OBJDUMP, ["-D", "-b", "binary", "-m", "aarch64", `--adjust-vma=0x${base.toString(16)}`, join(dir, "c.bin")], { encoding: "utf8", maxBuffer: 64 << 20 });
    return dump.split("\n").filter((l) => /^\s*[0-9a-f]+:\s+[0-9a-f]{8}\s/.test(l)).map((l) => l.replace(/^\s*[0-9a-f]+:\s+[0-9a-f]{8}\s+/, "").trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
