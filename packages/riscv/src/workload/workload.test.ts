import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GNU_OBJDUMP, haveBinutils } from "./asm.test-helper.js";
import { hartBlock, hartStackTop, HB, VIRT } from "./layout.js";
import { optionsFromJson, REFERENCE_RUNS, type ReferenceFile } from "./reference.js";
import { XREG_ABI } from "./regs.js";
import { buildWorkload, FINAL_REGISTER_ROLES, resolveOptions } from "./workload.js";

const REFERENCE = new URL("../../../../fixtures/qemu-7.2/riscv64-workload-final.json", import.meta.url);
const reference = JSON.parse(readFileSync(REFERENCE, "utf8")) as ReferenceFile;

describe("buildWorkload", () => {
  it("is a raw image at 0x8000_0000 with the labels a machine needs", () => {
    const w = buildWorkload({ harts: 2 });
    expect(w.base).toBe(0x8000_0000n);
    expect(w.entry).toBe(w.base);
    expect(w.symbols["_start"]).toBe(w.base);
    for (const s of ["main_loop", "park", "parked", "trap_handler", "shared", "idle"]) expect(w.symbols[s]).toBeTypeOf("bigint");
    expect(w.symbols["trap_handler"]! % 4n).toBe(0n);
    expect(w.symbols["shared"]! % 4096n).toBe(0n);
    expect(w.image.length).toBeLessThan(0x10000);
    expect(w.image.length % 4096).toBe(0);
  });

  it("is deterministic, and compression only changes the code", () => {
    const a = buildWorkload({ harts: 1, iterations: 10, final: true });
    expect(buildWorkload({ harts: 1, iterations: 10, final: true }).image).toEqual(a.image);
    const n = buildWorkload({ harts: 1, iterations: 10, final: true, compressed: false });
    expect(n.image.length).toBeGreaterThanOrEqual(a.image.length);
    expect(n.symbols["parked"]! - n.symbols["park"]!).toBe(4n); // wfi is never compressed
  });

  it("defaults and refuses what it cannot do", () => {
    expect(resolveOptions({ harts: 1 })).toMatchObject({ iterations: 0, interrupts: true, final: false, compressed: true, windowPages: 256 });
    expect(() => buildWorkload({ harts: 0 })).toThrow(RangeError);
    expect(() => buildWorkload({ harts: 65 })).toThrow(RangeError);
    expect(() => buildWorkload({ harts: 1, windowPages: 257 })).toThrow(RangeError);
    expect(() => buildWorkload({ harts: 1, final: true })).toThrow(/iterations/);
    expect(() => buildWorkload({ harts: 1, iterations: 1.5 })).toThrow(RangeError);
  });

  it.runIf(haveBinutils)("objdump decodes every instruction of the code", () => {
    for (const compressed of [true, false]) {
      const w = buildWorkload({ harts: 2, iterations: 5, final: true, compressed });
      const end = Number(w.symbols["str_banner"]! - w.base);
      const dir = mkdtempSync(join(tmpdir(), "vmstate-workload-"));
      try {
        writeFileSync(join(dir, "w.bin"), w.image.subarray(0, end));
        const dump = execFileSync(GNU_OBJDUMP, ["-D", "-b", "binary", "-m", "riscv:rv64", "-M", "no-aliases", `--adjust-vma=0x${w.base.toString(16)}`, join(dir, "w.bin")], { encoding: "utf8" });
        const lines = dump.split("\n").filter((l) => /^\s*[0-9a-f]+:\s/.test(l));
        expect(lines.length).toBeGreaterThan(500);
        expect(lines.filter((l) => /unknown|\.insn|\.short|\.word|\.byte/.test(l))).toEqual([]);
        expect(lines.some((l) => /\tc\./.test(l))).toBe(compressed);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe("the QEMU reference (fixtures/qemu-7.2/riscv64-workload-final.json)", () => {
  it("holds every run of REFERENCE_RUNS, recorded with QEMU 7.2", () => {
    expect(reference.runs.map((r) => r.name)).toEqual(REFERENCE_RUNS.map((r) => r.name));
    expect(reference.qemuVersion).toMatch(/^7\.2\./);
  });

  for (const run of reference.runs) {
    describe(run.name, () => {
      const w = buildWorkload(optionsFromJson(run.options));

      it("was made from exactly the image buildWorkload builds today", () => {
        const spec = REFERENCE_RUNS.find((r) => r.name === run.name)!;
        expect(optionsFromJson(run.options)).toEqual(resolveOptions(spec.options));
        expect(w.image.length).toBe(run.image.bytes);
        // if this fails, the workload changed: rerun tools/fixtures/riscv-workload-reference.ts --commit
        expect(createHash("sha256").update(w.image).digest("hex")).toBe(run.image.sha256);
        expect(BigInt(run.symbols.parked)).toBe(w.symbols["parked"]);
      });

      it("ended with every hart in the documented final state", () => {
        const o = w.options;
        expect(run.harts.map((h) => h.hart)).toEqual([...Array(o.harts).keys()]);
        expect(run.serial).toMatch(/^vmstate riscv64 workload: .*\n[0-9]*DONE\n$/);
        for (const h of run.harts) {
          const g = (r: string) => BigInt(h.gprs[r as keyof typeof h.gprs]);
          expect(BigInt(h.pc)).toBe(w.symbols["parked"]);
          expect(Object.keys(h.gprs)).toEqual([...XREG_ABI]);
          expect(g("a0")).toBe(BigInt(h.hart));
          expect(g("a1")).toBe(0n); // no interrupts
          expect(g("a2")).toBe(BigInt(o.harts));
          expect(g("s9")).toBe(BigInt(o.iterations));
          expect(g("sp")).toBe(hartStackTop(h.hart));
          expect(g("tp")).toBe(hartBlock(h.hart));
          const defined = new Set(Object.keys(FINAL_REGISTER_ROLES));
          for (const r of XREG_ABI) if (!defined.has(r)) expect(g(r), r).toBe(0n);
          for (const r of ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s10", "s11"]) expect(g(r), r).not.toBe(0n);
          expect(BigInt(h.csrs?.["mtvec"] ?? 0)).toBe(w.symbols["trap_handler"]);
          expect(HB.results).toBeGreaterThan(HB.syncTraps);
        }
      });
    });
  }

  it("a hart's results depend on neither the number of harts nor compression", () => {
    const run = (name: string) => reference.runs.find((r) => r.name === name)!;
    const results = (name: string, hart: number) => {
      const { pc: _pc, gprs, fprs } = run(name).harts[hart]!;
      const { a2: _a2, ...rest } = gprs;
      return { rest, fprs };
    };
    expect(results("2harts", 0)).toEqual(results("1hart", 0));
    expect(results("2harts-small", 0)).toEqual(results("1hart-small-norvc", 0));
    expect(results("2harts", 1)).not.toEqual(results("2harts", 0));
  });
});

describe("layout", () => {
  it("keeps devices where QEMU's virt has them", () => {
    expect(VIRT).toEqual({ dram: 0x8000_0000n, uart0: 0x1000_0000n, clint: 0x200_0000n, plic: 0xc00_0000n });
  });
});
