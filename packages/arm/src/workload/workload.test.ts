import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MiniVirt } from "../interp/mini-virt.js";
import { gnuDisassemble, haveBinutils } from "./asm.test-helper.js";
import { elfSegments } from "./elf.js";
import {
  cpuBlock, cpuPendingTable, cpuStackTop, cpuWindow, CB, CPU_BLOCK_SIZE, cpuLpi, deviceItt, ITS_DEVICES, ITS_EVENT_BITS, ITS_EVENTS_PER_CPU, ITS_TABLES,
  LPI_BASE, LPI_ID_BITS, MAX_CPUS, PAGE_SIZE, SHARED, VIRT,
} from "./layout.js";
import { GPR_NAMES, optionsFromJson, REFERENCE_RUNS, type ReferenceFile } from "./reference.js";
import { buildWorkload, expectedLpiResults, FINAL_REGISTER_ROLES, resolveOptions } from "./workload.js";

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
    expect(resolveOptions({ cpus: 1 })).toMatchObject({ iterations: 0, interrupts: false, final: false, windowPages: 256, progressEvery: 500, its: false, timer: true });
    expect(resolveOptions({ cpus: 1, its: true })).toMatchObject({ interrupts: true, its: true, timer: true });
    expect(() => buildWorkload({ cpus: 1, its: true, interrupts: false })).toThrow(/its needs interrupts/);
    expect(() => buildWorkload({ cpus: 0 })).toThrow(RangeError);
    expect(() => buildWorkload({ cpus: 65 })).toThrow(RangeError);
    expect(() => buildWorkload({ cpus: 1, windowPages: 257 })).toThrow(RangeError);
    expect(() => buildWorkload({ cpus: 1, final: true })).toThrow(/iterations/);
    expect(() => buildWorkload({ cpus: 1, iterations: 1.5 })).toThrow(RangeError);
  });

  it.runIf(haveBinutils)("objdump decodes every instruction of the code, and objdump -d reads the ELF", () => {
    for (const o of [{ interrupts: false }, { interrupts: true }, { its: true }, { its: true, timer: false }]) {
      const w = buildWorkload({ cpus: 2, iterations: 5, final: true, ...o });
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
        expect(run.serial).toMatch(o.its ? /^vmstate aarch64 workload: .*, its LPIs, final\n[0-9L]*DONE\n$/ : /^vmstate aarch64 workload: .*\n[0-9]*DONE\n$/);
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
          // x3, x4: the LPIs taken and their hash, as the model of the its schedule says; x5: no wait timed out
          const lpi = expectedLpiResults(o, c.cpu);
          expect({ x3: g("x3"), x4: g("x4"), x5: g("x5") }).toEqual({ x3: lpi.lpis, x4: lpi.hash, x5: 0n });
          if (o.its) expect(lpi.lpis).toBeGreaterThan(0n);
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
    expect(cpu("2cpu-its", 0)).toEqual(cpu("1cpu-its", 0));
    expect(cpu("2cpu-its", 1)).not.toEqual(cpu("2cpu-its", 0));
  });

  it("the its mode changes only x3..x5 (the LPI results): every other register as without it", () => {
    const regs = (name: string, i: number) => {
      const { gprs, vregs, pstate, fpsr } = reference.runs.find((r) => r.name === name)!.cpus[i]!;
      const { x3: _x3, x4: _x4, x5: _x5, ...rest } = gprs;
      return { rest, vregs, pstate, fpsr };
    };
    for (const [its, plain] of [["1cpu-its", "1cpu"], ["2cpu-its", "2cpu"]] as const) {
      const cpus = reference.runs.find((r) => r.name === its)!.cpus.length;
      for (let i = 0; i < cpus; i++) expect(regs(its, i), `${its} cpu ${i}`).toEqual(regs(plain, i));
    }
  });
});

describe("the its mode", () => {
  const w = buildWorkload({ cpus: 2, iterations: 1000, final: true, its: true, timer: false });

  it("builds, with its subroutines (the program without it has none)", () => {
    for (const s of ["its_pre", "its_post", "its_raise", "its_cmd", "its_cmd_event", "lpi_wait", "irq_not_lpi"]) expect(w.symbols[s], s).toBeTypeOf("bigint");
    const plain = buildWorkload({ cpus: 2, iterations: 1000, final: true });
    expect(plain.symbols["its_cmd"]).toBeUndefined();
    expect(VIRT.load + BigInt(w.image.length)).toBeLessThanOrEqual(cpuBlock(0));
    expect(new TextDecoder().decode(w.image)).toContain("vmstate aarch64 workload: 2 cpu(s), 1000 iterations, its LPIs, final\n");
    expect(new TextDecoder().decode(buildWorkload({ cpus: 1, its: true }).image)).toContain("1 cpu(s), endless, timer interrupts, its LPIs\n");
  });

  it("has a RAM map whose tables are aligned, big enough and clear of everything else", () => {
    const T = ITS_TABLES;
    const ram = { start: VIRT.dram, end: VIRT.dram + (128n << 20n) };
    const regions: Array<[string, bigint, bigint]> = [
      ["image", VIRT.load, VIRT.load + BigInt(w.image.length)],
      ["cpu blocks", cpuBlock(0), cpuBlock(MAX_CPUS - 1) + CPU_BLOCK_SIZE],
      ["windows", cpuWindow(0), cpuWindow(MAX_CPUS)],
      ["lpi properties", T.lpiProperties, T.lpiProperties + BigInt(T.lpiPropertiesBytes)],
      ["device table", T.deviceTable, T.deviceTable + BigInt(T.deviceTablePages * PAGE_SIZE)],
      ["collection table", T.collectionTable, T.collectionTable + BigInt(PAGE_SIZE)],
      ["itts", deviceItt(0), deviceItt(ITS_DEVICES)],
      ["command queue", T.commandQueue, T.commandQueue + BigInt(T.commandQueueBytes)],
      ["pending tables", cpuPendingTable(0), cpuPendingTable(MAX_CPUS - 1) + BigInt(T.pendingBytes)],
    ];
    for (const [name, start, end] of regions) {
      expect(start >= ram.start && end <= ram.end && start < end, name).toBe(true);
      for (const [other, s2, e2] of regions) if (other !== name) expect(end <= s2 || start >= e2, `${name} overlaps ${other}`).toBe(true);
    }
    expect(cpuPendingTable(MAX_CPUS - 1) + T.pendingStride).toBeLessThanOrEqual(T.end);
    // GICR_PROPBASER: 4 KiB aligned, one byte per LPI of 16 INTID bits
    expect(T.lpiProperties % 4096n).toBe(0n);
    expect(T.lpiPropertiesBytes).toBe(2 ** LPI_ID_BITS - LPI_BASE);
    // GICR_PENDBASER: 64 KiB aligned, one bit per INTID, apart from the other CPUs'
    for (const cpu of [0, 1, MAX_CPUS - 1]) expect(cpuPendingTable(cpu) % 0x1_0000n).toBe(0n);
    expect(T.pendingBytes).toBe(2 ** LPI_ID_BITS / 8);
    expect(BigInt(T.pendingBytes)).toBeLessThanOrEqual(T.pendingStride);
    // GITS_BASERn and GITS_CBASER: 4 KiB pages; the queue a power of two (CWRITER wraps by masking)
    for (const a of [T.deviceTable, T.collectionTable, T.commandQueue]) expect(a % 4096n).toBe(0n);
    expect(T.commandQueueBytes & (T.commandQueueBytes - 1)).toBe(0);
    expect(T.commandQueueBytes / PAGE_SIZE).toBeLessThanOrEqual(256);
    expect(ITS_DEVICES * 8).toBeLessThanOrEqual(T.deviceTablePages * PAGE_SIZE);
    expect(2 * MAX_CPUS * 8).toBeLessThanOrEqual(PAGE_SIZE); // two collections per CPU
    // ITTs: 256-byte aligned, room for every EventID with entries of up to 16 bytes (QEMU's are 12)
    for (let d = 0; d < ITS_DEVICES; d++) expect(deviceItt(d) % 256n).toBe(0n);
    expect(2n ** BigInt(ITS_EVENT_BITS) * 16n).toBeLessThanOrEqual(T.ittStride);
    expect(MAX_CPUS * ITS_EVENTS_PER_CPU).toBeLessThanOrEqual(2 ** ITS_EVENT_BITS);
    // every CPU's LPIs are distinct INTIDs within the property table
    expect(cpuLpi(0, 0)).toBe(LPI_BASE);
    expect(cpuLpi(MAX_CPUS - 1, ITS_DEVICES * ITS_EVENTS_PER_CPU - 1)).toBeLessThan(2 ** LPI_ID_BITS);
    // the CPU block and shared page fields the its mode adds
    for (const off of [CB.lpis, CB.lpiHash, CB.lpisExpected, CB.lpiTimeouts, CB.lpisPrinted]) expect(off < CB.results && off % 8 === 0).toBe(true);
    expect(new Set([SHARED.uartLock, SHARED.done, SHARED.started, SHARED.itsLock, SHARED.itsReady]).size).toBe(5);
  });

  it("models the LPIs each CPU takes: the count and an order-sensitive hash, the same for any number of CPUs", () => {
    const a = expectedLpiResults({ cpus: 1, iterations: 1000, final: true, its: true }, 0);
    expect(a.lpis).toBe(1875n); // 15 every 8 iterations
    expect(expectedLpiResults({ cpus: 4, iterations: 1000, final: true, its: true, timer: false }, 0)).toEqual(a);
    expect(expectedLpiResults({ cpus: 2, iterations: 1000, final: true, its: true }, 1).hash).not.toBe(a.hash);
    expect(expectedLpiResults({ cpus: 1, iterations: 999, final: true, its: true }, 0).hash).not.toBe(a.hash);
    expect(expectedLpiResults({ cpus: 1, iterations: 1000, final: true }, 0)).toEqual({ lpis: 0n, hash: 0n });
  });
});
