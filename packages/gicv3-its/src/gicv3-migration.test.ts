import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { ByteReader, ByteWriter, type ByteSink, compile, decodeStream, type InterruptControllerRequest, isVmstateError, Machine, memorySource, SystemBus } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { ICC } from "./cpu-interface.js";
import { createGicv3State, gicv3Description } from "./descriptions.js";
import { ack, board, bringUp, enableLpis, enablePrivate, enableSpi, eoi, GICD_BASE, GICR_BASE, gicr, ITS_BASE, itsCommands, ittOf, mmioWrite, msi, mrs, setupIts, type Board } from "./gic-board.test-helper.js";
import plugin, { createGicv3Controller, UnsupportedFeatureError } from "./index.js";
import { GICR_ISPENDR0 } from "./redistributor-frames.js";

async function snapshot(m: Machine): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const sink: ByteSink = { write: (c) => void chunks.push(c.slice()) };
  await m.save(sink);
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Two CPUs mid-flight: CPU 0 is handling PPI 27 (active, running priority
 * 0x80) with PPI 30, SPI 45 (level, line high) and LPI 8192 held back;
 * CPU 1 has SPI 40 (edge), SGI 2 and LPI 8193 pending.
 */
function busyBoard(): Board {
  const b = board({ cpus: 2, features: ["its"] });
  b.machine.vm.vmStart();
  bringUp(b);
  enableLpis(b, 0);
  enableLpis(b, 1);
  setupIts(b);
  itsCommands(
    b,
    { op: "MAPC", icid: 0, rdbase: 0, valid: true },
    { op: "MAPC", icid: 1, rdbase: 1, valid: true },
    { op: "MAPD", deviceId: 0, ittAddr: ittOf(0), size: 3, valid: true },
    { op: "MAPTI", deviceId: 0, eventId: 0, intid: 8192, icid: 0 },
    { op: "MAPTI", deviceId: 0, eventId: 1, intid: 8193, icid: 1 },
  );
  enablePrivate(b, 0, 27, 0x80);
  enablePrivate(b, 0, 30, 0xc0);
  enablePrivate(b, 1, 2, 0x90);
  enableSpi(b, 40, 0x70, 1, true);
  enableSpi(b, 45, 0xb0, 0);
  b.gic.setPrivateLine(0, 27, true);
  expect(ack(b, 0)).toBe(27);
  b.gic.setPrivateLine(0, 30, true);
  b.gic.setSharedLine(45, true);
  msi(b, 0);
  msi(b, 1);
  b.gic.setSharedLine(40, true);
  b.gic.setSharedLine(40, false);
  msr0SgiToCpu1(b);
  return b;
}

function msr0SgiToCpu1(b: Board): void {
  b.gic.writeSysreg(0, ICC.SGI1R_EL1, (2n << 24n) | 0b10n);
}

/** The guest's handlers from here on: each step records the CPU line, the INTID taken, and quietens level sources. */
function runHandlers(b: Board): string[] {
  const trace: string[] = [];
  b.gic.setPrivateLine(0, 27, false);
  eoi(b, 0, 27);
  for (const cpu of [0, 1]) {
    for (;;) {
      const line = b.irq[cpu];
      const id = ack(b, cpu);
      trace.push(`cpu${cpu} line=${line} ${id}`);
      if (id === 1023) break;
      if (id === 30) b.gic.setPrivateLine(0, 30, false);
      if (id === 45) b.gic.setSharedLine(45, false);
      eoi(b, cpu, id);
    }
  }
  msi(b, 1); // the ITS's mappings survived
  trace.push(`after MSI: line=${b.irq[1]} ${ack(b, 1)}`);
  return trace;
}

describe("save and restore through a machine", () => {
  it("a fresh machine and controller restore the exact state, drive the same lines, and deliver the same interrupts in order", async () => {
    const src = busyBoard();
    expect(src.irq).toEqual([false, true]);
    const bytes = await snapshot(src.machine);
    expect(src.machine.runState).toBe("running");
    expect(src.gic.its!.lastSave).toMatchObject({ state: "save-vm", ok: true });

    const dst = board({ cpus: 2, features: ["its"] });
    await dst.machine.load(bytes);
    expect(dst.gic.state).toEqual(src.gic.state);
    expect(dst.gic.redistributors.pendingLpis(0)).toEqual([8192]);
    expect(dst.gic.redistributors.pendingLpis(1)).toEqual([8193]);
    expect(dst.irq).toEqual(src.irq);
    // Every CPU's line was driven after the load, whether or not it changed.
    expect(dst.log.slice(-2)).toEqual([
      [0, false],
      [1, true],
    ]);
    expect([0, 1].map((c) => dst.gic.hppi(c))).toEqual([0, 1].map((c) => src.gic.hppi(c)));
    expect(mrs(dst, 0, ICC.RPR_EL1)).toBe(0x80n);

    const expected = [
      "cpu0 line=true 8192",
      "cpu0 line=true 45",
      "cpu0 line=true 30",
      "cpu0 line=false 1023",
      "cpu1 line=true 40",
      "cpu1 line=true 2",
      "cpu1 line=true 8193",
      "cpu1 line=false 1023",
      "after MSI: line=true 8193",
    ];
    expect(runHandlers(dst)).toEqual(expected);
    expect(runHandlers(src)).toEqual(expected);
  });

  it("the arm_gicv3 section the state produces loads back equal, and saves to the same bytes", () => {
    const b = busyBoard();
    const save = (s: object) => {
      const w = new ByteWriter();
      compile(gicv3Description).save(w, s as never, null);
      return w.result();
    };
    const bytes = save(b.gic.state);
    const back = createGicv3State(2, { lpis: true });
    compile(gicv3Description).load(new ByteReader(bytes), back, gicv3Description.version);
    expect(back).toEqual(b.gic.state);
    expect(save(back)).toEqual(bytes);
  });

  it("registers arm_gicv3 (instance 0) before arm_gicv3_its, and saves the pending and ITS tables on every stop", () => {
    const b = board({ cpus: 2, features: ["its"] });
    const gicEntries = b.machine.saveStates.entries.filter((e) => e.idstr.startsWith("arm_gicv3"));
    expect(gicEntries.map((e) => [e.idstr, e.instanceId])).toEqual([
      ["arm_gicv3", 0],
      ["arm_gicv3_its", 0],
    ]);
    expect(b.gic.registration?.gicHandler).toBeDefined();
    b.machine.vm.vmStart();
    b.machine.vm.vmStop("paused");
    expect(b.gic.its!.saveCount).toBe(1);
    expect(b.gic.redistributors.lastSave?.state).toBe("paused");
    const plain = board({ cpus: 1 });
    expect(plain.machine.saveStates.entries.filter((e) => e.idstr.startsWith("arm_gicv3")).map((e) => e.idstr)).toEqual(["arm_gicv3"]);
    expect(plain.gic.its).toBeUndefined();
  });
});

describe("QEMU 7.2's own stream", () => {
  it("loads into the controller, which then signals what QEMU's GIC was signalling (the virtual timer's PPI 27)", async () => {
    const fixture = fileURLToPath(new URL("../../../fixtures/qemu-7.2/aarch64-virt-gicv3-its-1cpu.mig.gz", import.meta.url));
    const bytes = new Uint8Array(gunzipSync(readFileSync(fixture)));
    const blocks: { id: string; length: number }[] = [];
    await decodeStream(memorySource(bytes), (item) => {
      if (item.kind === "ram" && item.record.type === "mem-size") blocks.push(...item.record.blocks);
    });
    const machine = new Machine({ machineType: "virt-7.2", sendPageBits: true });
    for (const bl of blocks) machine.ram.add(bl.id, bl.length, bl.id === "mach-virt.ram" ? 0x4000_0000 : undefined);
    const irq: boolean[] = [false];
    const request: InterruptControllerRequest = {
      machine,
      bus: new SystemBus(),
      cpus: 1,
      affinity: [0n],
      regions: { gicd: GICD_BASE, gicr: GICR_BASE, its: ITS_BASE },
      features: ["its"],
      setCpuIrq: (cpu, level) => void (irq[cpu] = level),
    };
    const gic = createGicv3Controller(request);
    const fresh = structuredClone(gic.state.cpu[0]!);
    await machine.load(bytes, { unknownSections: "skip" });
    const cs = gic.state.cpu[0]!;
    // The CPU interface's reset values are QEMU's (the guest changed only PMR and IGRPEN1).
    expect([cs.icc_ctlr_el1, cs.icc_bpr, cs.icc_ctlr_el3, cs.icc_sre_el1]).toEqual([fresh.icc_ctlr_el1, fresh.icc_bpr, fresh.icc_ctlr_el3, fresh.icc_sre_el1]);
    expect(gic.state.gicd_ctlr).toBe(0x53);
    expect(irq).toEqual([true]);
    expect(gic.readSysreg(0, ICC.HPPIR1_EL1)).toBe(27n);
    expect(gic.readSysreg(0, ICC.IAR1_EL1)).toBe(27n);
    expect(irq).toEqual([false]);
  });
});

describe("the device plugin", () => {
  it("is the package's default export, offering gicv3", () => {
    expect(plugin.name).toBe("@vmstate/gicv3-its");
    expect(Object.keys(plugin.interruptControllers)).toEqual(["gicv3"]);
  });

  it("rejects a feature it does not know with a typed error, before touching the machine", () => {
    const machine = new Machine({ machineType: "virt-7.2" });
    const request: InterruptControllerRequest = {
      machine,
      bus: new SystemBus(),
      cpus: 1,
      affinity: [0n],
      regions: { gicd: GICD_BASE, gicr: GICR_BASE, its: ITS_BASE },
      features: ["its", "gicv4"],
      setCpuIrq: () => {},
    };
    let error: unknown;
    try {
      plugin.interruptControllers.gicv3!(request);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(isVmstateError(error)).toBe(true);
    expect(error).toMatchObject({ code: "UNSUPPORTED", feature: "gicv4" });
    expect(machine.saveStates.entries.some((e) => e.idstr.startsWith("arm_gicv3"))).toBe(false);
    expect(() => plugin.interruptControllers.gicv3!({ ...request, features: [], regions: { gicd: GICD_BASE } })).toThrow(/no "gicr" region/);
  });

  it("maps GICD, the GICRs and the ITS where the board says", () => {
    const b = board({ cpus: 3, features: ["its"] });
    expect(b.bus.mmio.map((w) => [w.name, w.base, w.size])).toEqual([
      ["gicv3_dist", GICD_BASE, 0x10000],
      ["gicv3_redist_region[0]", GICR_BASE, 3 * 0x20000],
      ["gicv3_its", ITS_BASE, 0x20000],
    ]);
    mmioWrite(b, gicr(2, GICR_ISPENDR0), 1);
    expect(b.gic.state.cpu[2]!.gicr_ipendr0).toBe(1);
  });
});
