import { describe, expect, it } from "vitest";
import { isVmstateError, type VmstateError } from "../errors.js";
import { readStream } from "../stream/collect.js";
import { encodeItems } from "../stream/encoder.js";
import { writeRamImageStream } from "../stream/ram-image.js";
import type { StreamItem } from "../stream/model.js";
import { defineVMState, field, MigrationPriority, subsection } from "../vmstate/description.js";
import { array, int32, struct, uint8, uint32, uint64, varray } from "../vmstate/kinds.js";
import type { ByteSink } from "../wire/byte-writer.js";
import { Machine } from "./machine.js";
import { migrate } from "./migration.js";

// Toy devices ------------------------------------------------------------

const timerDesc = defineVMState({ name: "toy-timer", version: 2, minimumVersion: 1, fields: { ticks: uint64, period: field(uint32, { version: 2 }) } });
const fifoExtra = defineVMState({ name: "toy-uart/fifo", version: 1, minimumVersion: 1, fields: { count: uint8, fifo: varray(uint8, "count", { countType: "uint8" }) } });
const uartDesc = defineVMState({
  name: "toy-uart",
  version: 1,
  fields: { lcr: uint8, lsr: uint8, regs: array(uint32, 4) },
  subsections: [subsection(fifoExtra, (s) => s.count > 0)],
});
const irqLine = defineVMState({ name: "irq-line", version: 1, fields: { level: int32, pending: uint8 } });
const icDesc = defineVMState({ name: "toy-ic", version: 1, priority: MigrationPriority.GICV3, fields: { lines: array(struct(irqLine), 3), enabled: uint32 } });

type Toys = ReturnType<typeof build>;

function build(options: { machineType?: string; ramSize?: number; pagesPerIteration?: number } = {}) {
  const m = new Machine({ machineType: options.machineType ?? "toy-7.2", pagesPerIteration: options.pagesPerIteration ?? 16384 });
  const main = m.ram.add("toy.ram", options.ramSize ?? 64 * 4096, 0x80000000);
  const rom = m.ram.add("toy.rom", 2 * 4096);
  const timer = { ticks: 0n, period: 0 };
  const uart = { lcr: 0, lsr: 0x60, regs: new Uint32Array(4), count: 0, fifo: new Uint8Array(0) };
  const ic = { lines: [0, 1, 2].map(() => ({ level: 0, pending: 0 })), enabled: 0 };
  m.registerDevice("toy-timer", timerDesc, timer);
  m.registerDevice("toy-uart", uartDesc, uart);
  m.registerDevice("toy-uart", uartDesc, { ...uart, regs: new Uint32Array(4), fifo: new Uint8Array(0) });
  m.registerDevice("toy-ic", icDesc, ic);
  return { m, main, rom, timer, uart, ic };
}

/** A guest at work: devices change, RAM pages are written (and marked dirty). */
function work(t: Toys, seed: number): void {
  t.timer.ticks += BigInt(seed * 1000 + 7);
  t.timer.period = seed;
  t.uart.regs[seed % 4] = (t.uart.regs[seed % 4]! + 0x1111 * seed) >>> 0;
  t.uart.count = seed % 3;
  t.uart.fifo = Uint8Array.from({ length: t.uart.count }, (_, i) => seed + i);
  t.ic.lines[seed % 3]!.level ^= 1;
  t.ic.enabled = seed;
  for (let i = 0; i < 8; i++) {
    const offset = ((seed * 7 + i * 13) % t.main.pages) * 4096 + ((seed * 31) % 4000);
    t.main.write(offset, Uint8Array.from([seed, i, 0xaa, seed ^ i]));
  }
  t.rom.write(17, Uint8Array.of(seed));
}

function snapshot(t: Toys): unknown {
  return {
    main: Buffer.from(t.main.data).toString("base64"),
    rom: Buffer.from(t.rom.data).toString("base64"),
    timer: { ...t.timer },
    uart: { ...t.uart, regs: Array.from(t.uart.regs), fifo: Array.from(t.uart.fifo) },
    ic: structuredClone(t.ic),
  };
}

function memorySink() {
  const chunks: Uint8Array[] = [];
  const sink: ByteSink = { write: (c) => void chunks.push(c.slice()) };
  return { sink, bytes: () => Buffer.concat(chunks) };
}

async function saved(t: Toys): Promise<Uint8Array> {
  const out = memorySink();
  await t.m.save(out.sink);
  return new Uint8Array(out.bytes());
}

async function loadError(t: Toys, bytes: Uint8Array): Promise<VmstateError> {
  try {
    await t.m.load(bytes);
  } catch (e) {
    if (isVmstateError(e)) return e;
    throw e;
  }
  throw new Error("the load did not fail");
}

// Tests -------------------------------------------------------------------

describe("the save-state list", () => {
  it("orders entries by priority, then registration; numbers sections and instances as QEMU does", () => {
    const t = build();
    t.m.streamWriter(memorySink().sink); // realizes: globalstate goes last
    expect(t.m.saveStates.entries.map((e) => `${e.idstr}[${e.instanceId}]#${e.sectionId}`)).toEqual([
      "toy-ic[0]#5",
      "ram[0]#1",
      "toy-timer[0]#2",
      "toy-uart[0]#3",
      "toy-uart[1]#4",
      "globalstate[0]#6",
    ]);
  });
});

describe("savevm and loadvm", () => {
  it("restores identical state into a fresh machine", async () => {
    const a = build();
    for (let s = 1; s <= 5; s++) work(a, s);
    const bytes = await saved(a);
    const b = build();
    await b.m.load(bytes);
    expect(snapshot(b)).toEqual(snapshot(a));
    expect(b.m.globalState.received).toBe(true);
  });

  it("writes a valid QEMU stream: its vmdesc decodes the same values and re-encodes the same bytes", async () => {
    const a = build();
    work(a, 4);
    const bytes = await saved(a);
    const model = await readStream(bytes);
    expect(model.result.warnings).toEqual([]);
    expect(Buffer.compare(encodeItems(model.items), bytes)).toBe(0);
    const sections = model.items.filter((i): i is Extract<StreamItem, { kind: "section-begin" }> => i.kind === "section-begin");
    expect(sections.map((s) => `${s.section.type} ${s.section.idstr}`)).toEqual([
      "start ram",
      "part ram",
      "end ram",
      "full toy-ic",
      "full toy-timer",
      "full toy-uart",
      "full toy-uart",
      "full globalstate",
    ]);
    // The vmdesc-driven decode of the uart sees what the typed description wrote.
    const uart = model.items.find((i) => i.kind === "state" && i.section.idstr === "toy-uart" && i.section.instanceId === 0);
    expect(uart?.kind === "state" && uart.state).toEqual({
      lcr: 0,
      lsr: 0x60,
      regs: a.uart.regs,
      // A one-element array is described as a plain field in QEMU's vmdesc, so it reads back as one.
      "toy-uart/fifo": { count: 1, fifo: 4 },
    });
    const timer = model.items.find((i) => i.kind === "state" && i.section.idstr === "toy-timer");
    expect(timer?.kind === "state" && timer.state).toEqual({ ticks: a.timer.ticks, period: a.timer.period });
  });

  it("goes through save-vm and restore-vm, and back to running", async () => {
    const t = build();
    const seen: string[] = [];
    t.m.vm.handlers.add((running, state) => seen.push(`${running ? "start" : "stop"} ${state}`));
    t.m.vm.vmStart();
    const bytes = await saved(t);
    expect(t.m.runState).toBe("running");
    await t.m.load(bytes);
    expect(t.m.runState).toBe("running");
    expect(seen).toEqual(["start running", "stop save-vm", "start running", "stop restore-vm", "start running"]);
    // A paused machine stays paused.
    t.m.vm.vmStop("paused");
    await t.m.load(await saved(t));
    expect(t.m.runState).toBe("paused");
  });

  describe("refuses a stream that does not fit, and changes nothing", () => {
    async function refuse(mutate: (source: Toys) => void, target: (t: Toys) => void, message: RegExp): Promise<VmstateError> {
      const a = build();
      work(a, 4);
      mutate(a);
      const bytes = await saved(a);
      const b = build();
      target(b);
      work(b, 9);
      const before = snapshot(b);
      const e = await loadError(b, bytes);
      expect(e.message).toMatch(message);
      expect(snapshot(b)).toEqual(before);
      return e;
    }

    it("an unknown section", async () => {
      const e = await refuse(
        (a) => a.m.registerDevice("toy-extra", timerDesc, { ticks: 1n, period: 1 }),
        () => undefined,
        /Unknown savevm section or instance 'toy-extra' 0/,
      );
      expect(e.section).toBe("toy-extra[0]");
      expect(e.offset).toBeGreaterThan(0);
    });

    it("a section newer than the device", async () => {
      const newer = defineVMState({ name: "toy-timer", version: 3, fields: { ticks: uint64, period: uint32 } });
      const a = new Machine({ machineType: "toy-7.2" });
      a.ram.add("toy.ram", 64 * 4096);
      a.registerDevice("toy-timer", newer, { ticks: 5n, period: 5 });
      const out = memorySink();
      await a.save(out.sink);
      const b = build({ ramSize: 64 * 4096 });
      const e = await loadError(b, new Uint8Array(out.bytes()));
      expect(e.message).toMatch(/savevm: unsupported version 3 for 'toy-timer' v2/);
    });

    it("an unknown RAM block, and a block of another size", async () => {
      await refuse((a) => a.m.ram.add("toy.extra", 4096), () => undefined, /Unknown ramblock "toy.extra", cannot accept migration/);
      const a = build({ ramSize: 32 * 4096 });
      const b = build();
      const e = await loadError(b, await saved(a));
      expect(e.message).toMatch(/Size mismatch: toy.ram: 0x20000 != 0x40000/);
    });

    it("RAM pages of another size, where only the vmdesc says so", async () => {
      // 8 KiB pages and no target-page-bits in the configuration (as x86 writes it); this machine's are 4 KiB.
      const data = new Uint8Array(4 * 8192);
      for (let p = 0; p < 4; p++) data.fill(0x10 + p, p * 8192, (p + 1) * 8192);
      const out = memorySink();
      await writeRamImageStream(out.sink, { machineType: "toy-7.2", blocks: [{ id: "toy.ram", data }], pageSize: 8192 });
      const b = new Machine({ machineType: "toy-7.2" });
      b.ram.add("toy.ram", data.length);
      const e = await loadError({ m: b } as Toys, new Uint8Array(out.bytes()));
      expect(e.code).toBe("MACHINE_MISMATCH");
      expect(e.message).toMatch(/the stream's RAM pages are 8192 bytes, this machine's 4096/);
      expect(b.ram.get("toy.ram")!.data.every((x) => x === 0)).toBe(true);
    });

    it("another machine type", async () => {
      const a = build({ machineType: "other-7.2" });
      const b = build();
      expect((await loadError(b, await saved(a))).message).toMatch(/Machine type received is 'other-7.2' and local is 'toy-7.2'/);
    });

    it("a field check that fails (an *_equal field)", async () => {
      const cfg = defineVMState({ name: "cfg", version: 1, fields: { lines: field(uint32, { name: "lines" }) } });
      const checked = defineVMState({ name: "cfg", version: 1, fields: { lines: { kind: { ...uint32, info: "uint32 equal", check: "equal" as const } } } });
      const a = new Machine({ machineType: "toy-7.2" });
      a.registerDevice("cfg", cfg, { lines: 8 });
      const out = memorySink();
      await a.save(out.sink);
      const b = new Machine({ machineType: "toy-7.2" });
      const live = { lines: 16 };
      b.registerDevice("cfg", checked, live);
      const e = await loadError({ m: b } as Toys, new Uint8Array(out.bytes()));
      expect(e.message).toMatch(/check failed: received 0x8 != local 0x10/);
      expect(e.section).toBe("cfg[0]");
      expect(live.lines).toBe(16);
    });
  });
});

describe("migration", () => {
  it("migrates a running machine while its guest works, and the destination runs on", async () => {
    // 16 pages per iteration while the guest dirties 9 a round: several rounds, then a forced switchover.
    const a = build({ pagesPerIteration: 16 });
    const b = build();
    const statuses: string[] = [];
    a.m.vm.events.on("MIGRATION", (e) => statuses.push(e.data.status));
    a.m.vm.vmStart();
    let seed = 1;
    let atSwitchover: unknown;
    const r = await migrate(a.m, b.m, {
      switchoverPending: 0,
      maxIterations: 6,
      runGuest: () => work(a, ++seed),
      onProgress: (p) => {
        if (p.phase === "complete") atSwitchover = snapshot(a);
      },
    });
    expect(r.outgoing.error).toBeUndefined();
    expect(r.outgoing.status).toBe("completed");
    expect(r.outgoing.iterations).toBeGreaterThan(1);
    expect(statuses).toEqual(["setup", "active", "completed"]);
    expect(a.m.runState).toBe("postmigrate");
    expect(r.incoming).toEqual({ status: "completed", runState: "running" });
    expect(snapshot(b)).toEqual(atSwitchover);
  });

  it("ends paused when asked, or in the run state the source had", async () => {
    const a = build();
    a.m.vm.vmStart();
    const b = build();
    expect((await migrate(a.m, b.m, { startPaused: true })).incoming.runState).toBe("paused");
    const c = build();
    c.m.vm.vmStart();
    c.m.vm.vmStop("paused");
    const d = build();
    const r = await migrate(c.m, d.m);
    expect(r.incoming.runState).toBe("paused");
    expect(c.m.runState).toBe("postmigrate");
  });

  describe.each(["setup", "iterate", "complete"] as const)("failing or cancelled in %s", (phase) => {
    it.each(["fails", "is cancelled"] as const)("leaves the source running with its state unchanged when it %s", async (how) => {
      const a = build();
      a.m.vm.vmStart();
      work(a, 5);
      const before = snapshot(a);
      const stops: string[] = [];
      a.m.vm.handlers.add((running, state) => stops.push(`${running} ${state}`));
      const b = build();
      const r = await migrate(a.m, b.m, {
        switchoverPending: 0,
        onProgress: (p, m) => {
          if (p.phase !== phase) return;
          if (how === "fails") throw new Error(`broken channel in ${phase}`);
          m.cancel();
        },
      });
      expect(r.outgoing.status).toBe(how === "fails" ? "failed" : "cancelled");
      expect(a.m.runState).toBe("running");
      expect(snapshot(a)).toEqual(before);
      // Completion stops the source (finish-migrate) and the failure starts it again.
      expect(stops).toEqual(phase === "complete" ? ["false finish-migrate", "true running"] : []);
      expect(r.incoming.status).toBe("failed");
      expect(b.m.runState).toBe("inmigrate");
    });
  });
});
