import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MiniVirt } from "../interp/mini-virt.js";
import { gnuDisassemble, haveBinutils } from "./asm.test-helper.js";
import { elfSegments } from "./elf.js";
import { cpuBlock, cpuStackTop, cpuWindow, CB, VIRT } from "./layout.js";
import { GPR_NAMES, optionsFromJson, REFERENCE_RUNS, type ReferenceFile } from "./reference.js";
import { buildWorkload, FINAL_REGISTER_ROLES, resolveOptions } from "./workload.js";

const reference = JSON.parse(readFileSync(new URL("../../../../fixtures/qemu-7.2/aarch64-workload-final.json", import.meta.url), "utf8")) as ReferenceFile;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("buildWorkload", () => {
  it("is an image at 0x4020_0000 with the vectors and labels a machine needs, and the same as an ELF", () => {
    const w = buildWorkload({ cpus: 2 });
    expect(w.base).toBe(VIRT.load);
    expect(w.entry).toBe(w.base);
    expect(w.symbols["vectors"]).toBe(w.base + 0x800n);
    for (const s of ["setup", "main_loop", "park", "parked", "el1_sync", "el0_sync", "irq_handler", "shared", "idle"]) expect(w.symbols[s]).toBeTypeOf("bigint");
    expect(w.symbols["shared"]! % 4096n).toBe(0n);
    expect(w.image.length % 4096).toBe(0);
    const elf = elfSegments(w.elf);
    expect(elf.entry).toBe(w.entry);
    expect(elf.segments).toHaveLength(1);
    expect(elf.segments[0]!.address).toBe(w.base);
    expect(elf.segments[0]!.data).toEqual(w.image);
  });

  it("is deterministic, and only the options change it", () => {
    const a = buildWorkload({ cpus: 1, iterations: 10, final: true });
    expect(buildWorkload({ cpus: 1, iterations: 10, final: true }).elf).toEqual(a.elf);
    expect(buildWorkload({ cpus: 1, iterations: 11, final: true }).image).not.toEqual(a.image);
    expect(a.symbols["parked"]! - a.symbols["park"]!).toBe(4n);
  });

  it("defaults and refuses what it cannot do", () => {
    expect(resolveOptions({ cpus: 1 })).toMatchObject({ iterations: 0, interrupts: false, final: false, windowPages: 256, progressEvery: 500 });
    expect(() => buildWorkload({ cpus: 0 })).toThrow(RangeError);
    expect(() => buildWorkload({ cpus: 65 })).toThrow(RangeError);
    expect(() => buildWorkload({ cpus: 1, windowPages: 257 })).toThrow(RangeError);
    expect(() => buildWorkload({ cpus: 1, final: true })).toThrow(/iterations/);
    expect(() => buildWorkload({ cpus: 1, iterations: 1.5 })).toThrow(RangeError);
  });

  it.runIf(haveBinutils)("objdump decodes every instruction of the code, and objdump -d reads the ELF", () => {
    for (const interrupts of [false, true]) {
      const w = buildWorkload({ cpus: 2, iterations: 5, final: true, interrupts });
      const end = Number(w.symbols["str_banner"]! - w.base);
      const dis = gnuDisassemble(w.image.subarray(0, end), w.base);
      expect(dis.length).toBeGreaterThan(1000);
      expect(dis.filter((l) => /undefined|\.inst/.test(l))).toEqual([]);
    }
  });

  it("runs endlessly when asked, printing progress, on the interpreter", () => {
    const w = buildWorkload({ cpus: 2, progressEvery: 10, windowPages: 4 });
    const m = new MiniVirt({ cpus: 2 });
    m.load(w.image, w.base, w.entry);
    m.run(() => m.cpus.every((c) => c.getX(27) >= 50n), 10_000);
    expect(m.serial).toMatch(/^vmstate aarch64 workload: 2 cpu\(s\), endless\n[01]{8,}/);
    expect(m.serial).not.toContain("DONE");
    const iterations = new DataView(m.ram.data.buffer).getBigUint64(Number(cpuBlock(1) - VIRT.dram) + CB.iterations, true);
    expect(iterations).toBeGreaterThanOrEqual(50n);
  });

  it("takes virtual timer interrupts through the GIC and gets the same results (only x1 differs)", () => {
    const run = reference.runs.find((r) => r.name === "2cpu-small")!;
    const w = buildWorkload({ ...optionsFromJson(run.options), interrupts: true, timerInterval: 2000 });
    const m = new MiniVirt({ cpus: 2, fakeGic: true, slice: 1000 });
    m.load(w.image, w.base, w.entry);
    m.run(() => m.cpus.every((c) => c.stopReason === "wfi" && c.getPc() === w.symbols["parked"]) || m.serial.includes("!TRAP"), 100_000);
    expect(m.serial).toMatch(/timer interrupts, final\n.*DONE\n$/s);
    for (const c of m.cpus) {
      const ref = run.cpus[c.cpuIndex]!;
      expect(c.getX(1)).toBeGreaterThan(10n);
      for (let r = 0; r < 31; r++) if (r !== 1) expect(c.getX(r), `x${r}`).toBe(BigInt(ref.gprs[`x${r}`]!));
    }
  });
});

describe("the QEMU reference (fixtures/qemu-7.2/aarch64-workload-final.json)", () => {
  it("holds every run of REFERENCE_RUNS, recorded with QEMU 7.2", () => {
    expect(reference.runs.map((r) => r.name)).toEqual(REFERENCE_RUNS.map((r) => r.name));
    expect(reference.qemuVersion).toMatch(/^7\.2\./);
  });

  for (const run of reference.runs) {
    describe(run.name, () => {
      const w = buildWorkload(optionsFromJson(run.options));

      it("was made from exactly the ELF buildWorkload builds today", () => {
        const spec = REFERENCE_RUNS.find((r) => r.name === run.name)!;
        expect(optionsFromJson(run.options)).toEqual(resolveOptions(spec.options));
        // if this fails, the workload changed: rerun tools/fixtures/aarch64-workload-reference.ts --commit
        expect(sha(w.elf)).toBe(run.image.sha256);
        expect(sha(w.image)).toBe(run.image.rawSha256);
        expect(w.elf.length).toBe(run.image.bytes);
        expect(BigInt(run.symbols.parked)).toBe(w.symbols["parked"]);
        expect(run.command).toEqual(expect.arrayContaining(["-M", "virt,gic-version=3,its=on", "-cpu", "cortex-a57", "-kernel"]));
      });

      it("ended with every CPU in the documented final state", () => {
        const o = w.options;
        expect(run.cpus.map((c) => c.cpu)).toEqual([...Array(o.cpus).keys()]);
        expect(run.serial).toMatch(/^vmstate aarch64 workload: .*\n[0-9]*DONE\n$/);
        for (const c of run.cpus) {
          const g = (r: string) => BigInt(c.gprs[r]!);
          expect(BigInt(c.pc)).toBe(w.symbols["parked"]);
          expect(Object.keys(c.gprs)).toEqual([...GPR_NAMES]);
          expect(g("x0")).toBe(BigInt(c.cpu));
          expect(g("x1")).toBe(0n);
          expect(g("x2")).toBe(BigInt(o.cpus));
          expect(g("x18")).toBe(cpuBlock(c.cpu));
          expect(g("x27")).toBe(BigInt(o.iterations));
          expect(g("x29")).toBe(cpuWindow(c.cpu));
          expect(g("sp")).toBe(cpuStackTop(c.cpu));
          const defined = new Set(Object.keys(FINAL_REGISTER_ROLES));
          for (const r of GPR_NAMES) if (!defined.has(r)) expect(g(r), r).toBe(0n);
          for (const r of ["x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x28"]) expect(g(r), r).not.toBe(0n);
          expect(BigInt(c.pstate!)).toBe(0x3c5n); // EL1h, DAIF masked, NZCV clear
          expect(BigInt(c.fpsr!)).toBe(0n);
        }
      });
    });
  }

  it("a CPU's results depend on neither the number of CPUs nor the others' progress", () => {
    const cpu = (name: string, i: number) => {
      const { gprs, vregs } = reference.runs.find((r) => r.name === name)!.cpus[i]!;
      const { x2: _x2, ...rest } = gprs;
      return { rest, vregs };
    };
    expect(cpu("2cpu", 0)).toEqual(cpu("1cpu", 0));
    expect(cpu("2cpu-small", 0)).toEqual(cpu("1cpu-small", 0));
    expect(cpu("2cpu", 1)).not.toEqual(cpu("2cpu", 0));
  });
});
