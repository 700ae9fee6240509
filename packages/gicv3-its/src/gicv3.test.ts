import { describe, expect, it } from "vitest";
import { ICC } from "./cpu-interface.js";
import { GICD_CTLR, GICD_ICFGR, GICD_IROUTER, GICD_ISPENDR, GICD_TYPER } from "./distributor.js";
import { GICR_ICFGR0, GICR_ICFGR1, GICR_ISACTIVER0, GICR_ISPENDR0, GICR_TYPER, GICR_WAKER } from "./redistributor-frames.js";
import { ack, board, bringUp, enablePrivate, enableSpi, eoi, GICD_BASE, gicr, mmioRead, mmioWrite, mrs, msr } from "./gic-board.test-helper.js";

describe("a guest bringing the GICv3 up and taking interrupts", () => {
  it("PPI 27: line high, IAR1 takes it, the running priority holds the next one back until EOIR1, then spurious", () => {
    const b = board({ cpus: 1 });
    expect(mmioRead(b, GICD_BASE + GICD_CTLR)).toBe(0x50n); // DS | ARE
    expect(mmioRead(b, gicr(0, GICR_WAKER))).toBe(0x6n); // asleep after reset
    bringUp(b);
    expect(mmioRead(b, GICD_BASE + GICD_CTLR)).toBe(0x52n);
    expect(mmioRead(b, gicr(0, GICR_WAKER))).toBe(0n);
    enablePrivate(b, 0, 27, 0xa0);
    enablePrivate(b, 0, 30, 0xc0);
    expect(b.irq[0]).toBe(false);

    b.gic.setPrivateLine(0, 27, true);
    expect(b.irq[0]).toBe(true);
    expect(mrs(b, 0, ICC.HPPIR1_EL1)).toBe(27n);
    expect(ack(b, 0)).toBe(27);
    expect(b.irq[0]).toBe(false); // 27 is active and nothing else is pending
    expect(mrs(b, 0, ICC.RPR_EL1)).toBe(0xa0n);
    expect(mrs(b, 0, ICC.AP1R0_EL1)).toBe(1n << 20n); // 0xa0 >> 3

    // A lower-priority PPI waits for the running priority to drop.
    b.gic.setPrivateLine(0, 30, true);
    expect(b.irq[0]).toBe(false);
    expect(mrs(b, 0, ICC.HPPIR1_EL1)).toBe(30n);
    expect(ack(b, 0)).toBe(1023);

    b.gic.setPrivateLine(0, 27, false); // the device handler quietened the timer
    eoi(b, 0, 27);
    expect(mrs(b, 0, ICC.RPR_EL1)).toBe(0xffn);
    expect(b.irq[0]).toBe(true);
    expect(ack(b, 0)).toBe(30);
    expect(b.irq[0]).toBe(false);
    b.gic.setPrivateLine(0, 30, false);
    eoi(b, 0, 30);
    expect(b.irq[0]).toBe(false);
    expect(ack(b, 0)).toBe(1023);
    expect(mmioRead(b, gicr(0, GICR_ISACTIVER0))).toBe(0n);
    expect(b.log).toEqual([
      [0, true],
      [0, false],
      [0, true],
      [0, false],
    ]);
  });

  it("a level-triggered PPI comes back after EOI while its line stays high; an edge-triggered one latches once", () => {
    const b = board({ cpus: 1 });
    bringUp(b);
    enablePrivate(b, 0, 27, 0x80);
    b.gic.setPrivateLine(0, 27, true);
    expect(ack(b, 0)).toBe(27);
    eoi(b, 0, 27);
    expect(b.irq[0]).toBe(true);
    expect(ack(b, 0)).toBe(27);
    b.gic.setPrivateLine(0, 27, false);
    eoi(b, 0, 27);
    expect(b.irq[0]).toBe(false);

    // PPI 20 edge-triggered (ICFGR1 field 4: bit 9).
    mmioWrite(b, gicr(0, GICR_ICFGR1), 1 << 9);
    expect(mmioRead(b, gicr(0, GICR_ICFGR1))).toBe(BigInt(1 << 9));
    expect(mmioRead(b, gicr(0, GICR_ICFGR0))).toBe(0xaaaaaaaan); // SGIs: always edge
    enablePrivate(b, 0, 20, 0x80);
    b.gic.setPrivateLine(0, 20, true);
    b.gic.setPrivateLine(0, 20, false);
    expect(mmioRead(b, gicr(0, GICR_ISPENDR0))).toBe(BigInt(1 << 20));
    expect(ack(b, 0)).toBe(20);
    eoi(b, 0, 20);
    expect(ack(b, 0)).toBe(1023);
  });

  it("EOImode 1: EOIR1 only drops the priority, ICC_DIR_EL1 deactivates", () => {
    const b = board({ cpus: 1 });
    bringUp(b);
    msr(b, 0, ICC.CTLR_EL1, 2);
    expect(mrs(b, 0, ICC.CTLR_EL1)).toBe(0x8c02n);
    enablePrivate(b, 0, 27, 0x80);
    b.gic.setPrivateLine(0, 27, true);
    expect(ack(b, 0)).toBe(27);
    b.gic.setPrivateLine(0, 27, false);
    eoi(b, 0, 27);
    expect(mrs(b, 0, ICC.RPR_EL1)).toBe(0xffn);
    expect(mmioRead(b, gicr(0, GICR_ISACTIVER0))).toBe(BigInt(1 << 27));
    msr(b, 0, ICC.DIR_EL1, 27);
    expect(mmioRead(b, gicr(0, GICR_ISACTIVER0))).toBe(0n);
  });
});

describe("SGIs, SPIs, priorities", () => {
  it("ICC_SGI1R_EL1 reaches the CPUs of its target list, or every other CPU with IRM", () => {
    const b = board({ cpus: 3 });
    bringUp(b);
    for (let cpu = 0; cpu < 3; cpu++) enablePrivate(b, cpu, 3, 0x80);
    msr(b, 0, ICC.SGI1R_EL1, (3n << 24n) | 0b100n); // INTID 3, Aff1 0, target list {2}
    expect(b.irq).toEqual([false, false, true]);
    expect(ack(b, 2)).toBe(3);
    eoi(b, 2, 3);
    msr(b, 1, ICC.SGI1R_EL1, (1n << 40n) | (3n << 24n)); // IRM: all but CPU 1
    expect(b.irq).toEqual([true, false, true]);
    expect([ack(b, 0), ack(b, 1), ack(b, 2)]).toEqual([3, 1023, 3]);
    // Another cluster (Aff1 = 1) names no CPU here.
    msr(b, 0, ICC.SGI1R_EL1, (1n << 16n) | (3n << 24n) | 0xffffn);
    expect(ack(b, 1)).toBe(1023);
  });

  it("a group 0 SGI is not delivered by SGI1R (G1NS), and group 0 interrupts are FIQs, taken with IAR0", () => {
    const b = board({ cpus: 2 });
    bringUp(b);
    mmioWrite(b, GICD_BASE + GICD_CTLR, 0x3);
    mmioWrite(b, gicr(1, 0x10080), 0xfffffffe); // SGI 0 in group 0 on CPU 1
    enablePrivate(b, 1, 0, 0x80);
    msr(b, 1, ICC.IGRPEN0_EL1, 1);
    msr(b, 0, ICC.SGI1R_EL1, 0b10n);
    expect(b.gic.hppi(1).intid).toBe(1023);
    msr(b, 0, ICC.SGI0R_EL1, 0b10n);
    expect(b.gic.fiqLevel(1)).toBe(true);
    expect(b.irq[1]).toBe(false);
    expect(ack(b, 1)).toBe(1023); // not visible to IAR1
    expect(mrs(b, 1, ICC.IAR0_EL1)).toBe(0n);
    msr(b, 1, ICC.EOIR1_EL1, 0); // the wrong group's EOI is ignored
    expect(mrs(b, 1, ICC.RPR_EL1)).toBe(0x80n);
    msr(b, 1, ICC.EOIR0_EL1, 0);
    expect(mrs(b, 1, ICC.RPR_EL1)).toBe(0xffn);
  });

  it("an SPI goes to the CPU its GICD_IROUTER names, and moves when rerouted", () => {
    const b = board({ cpus: 2 });
    bringUp(b);
    const typer = Number(mmioRead(b, GICD_BASE + GICD_TYPER));
    expect(typer).toBe(0x0378_0007); // no LPIs without an ITS
    enableSpi(b, 40, 0x90, 1);
    expect(mmioRead(b, GICD_BASE + GICD_IROUTER + 40 * 8, 8)).toBe(1n);
    b.gic.setSharedLine(40, true);
    expect(b.irq).toEqual([false, true]);
    mmioWrite(b, GICD_BASE + GICD_IROUTER + 40 * 8, 0); // low half: Aff0 = 0
    expect(b.irq).toEqual([true, false]);
    expect(ack(b, 0)).toBe(40);
    b.gic.setSharedLine(40, false);
    eoi(b, 0, 40);
    expect(b.irq).toEqual([false, false]);
    // Routed to an affinity no CPU has: stays pending, goes nowhere.
    enableSpi(b, 41, 0x90, 0, true);
    mmioWrite(b, GICD_BASE + GICD_IROUTER + 41 * 8, 0x7_0000_0000n, 8);
    b.gic.setSharedLine(41, true);
    b.gic.setSharedLine(41, false);
    expect(b.irq).toEqual([false, false]);
    expect(mmioRead(b, GICD_BASE + GICD_ISPENDR + 4)).toBe(BigInt(1 << 9));
    expect(Number(mmioRead(b, GICD_BASE + GICD_ICFGR + 8)) >>> 0).toBe(1 << 19); // INTID 41: field 9
  });

  it("takes the highest priority first (lowest INTID among equals), masks by PMR, and preempts only with a higher group priority", () => {
    const b = board({ cpus: 1 });
    bringUp(b);
    enableSpi(b, 50, 0x80, 0, true);
    enablePrivate(b, 0, 20, 0x40);
    enablePrivate(b, 0, 1, 0x40);
    enablePrivate(b, 0, 5, 0x44); // same group priority as 0x40 (BPR1 3: bits [7:3])
    mmioWrite(b, gicr(0, GICR_ISPENDR0), (1 << 20) | (1 << 1) | (1 << 5));
    b.gic.setSharedLine(50, true);

    msr(b, 0, ICC.PMR_EL1, 0x40); // masks everything at 0x40 and below
    expect(b.irq[0]).toBe(false);
    expect(ack(b, 0)).toBe(1023);
    msr(b, 0, ICC.PMR_EL1, 0x48);
    expect(b.irq[0]).toBe(true);
    const order: number[] = [];
    for (let i = 0; i < 3; i++) {
      const id = ack(b, 0);
      order.push(id);
      eoi(b, 0, id);
    }
    expect(order).toEqual([1, 20, 5]);
    expect(ack(b, 0)).toBe(1023); // 50 (0x80) is masked by PMR 0x48
    msr(b, 0, ICC.PMR_EL1, 0xf0);
    expect(ack(b, 0)).toBe(50);
    expect(mrs(b, 0, ICC.RPR_EL1)).toBe(0x80n);
    // While 50 runs, a 0x44 SGI preempts it; another 0x80 one would not.
    mmioWrite(b, gicr(0, GICR_ISPENDR0), 1 << 5);
    expect(b.irq[0]).toBe(true);
    expect(ack(b, 0)).toBe(5);
    expect(mrs(b, 0, ICC.RPR_EL1)).toBe(0x40n);
    expect(mrs(b, 0, ICC.AP1R0_EL1)).toBe((1n << 16n) | (1n << 8n));
    eoi(b, 0, 5);
    expect(mrs(b, 0, ICC.RPR_EL1)).toBe(0x80n);
    eoi(b, 0, 50);
    expect(mrs(b, 0, ICC.RPR_EL1)).toBe(0xffn);
  });

  it("compares group priorities with the pending interrupt's binary point (a coarser BPR1 does not preempt a group 0 handler)", () => {
    const b = board({ cpus: 1 });
    bringUp(b);
    mmioWrite(b, GICD_BASE + GICD_CTLR, 0x3);
    msr(b, 0, ICC.IGRPEN0_EL1, 1);
    msr(b, 0, ICC.BPR1_EL1, 4); // group 1 priority: bits [7:4]
    mmioWrite(b, gicr(0, 0x10080), 0xfffffffe); // SGI 0 in group 0
    enablePrivate(b, 0, 0, 0x48);
    enablePrivate(b, 0, 1, 0x44);
    enablePrivate(b, 0, 2, 0x38);
    mmioWrite(b, gicr(0, GICR_ISPENDR0), 1);
    expect(mrs(b, 0, ICC.IAR0_EL1)).toBe(0n);
    expect(mrs(b, 0, ICC.RPR_EL1)).toBe(0x48n);
    mmioWrite(b, gicr(0, GICR_ISPENDR0), 1 << 1);
    expect(b.irq[0]).toBe(false); // 0x44 & 0xf0 is not below 0x48 & 0xf0
    mmioWrite(b, gicr(0, GICR_ISPENDR0), 1 << 2);
    expect(b.irq[0]).toBe(true);
    expect(ack(b, 0)).toBe(2);
  });

  it("GICR_TYPER carries affinity, processor number, Last and PLPIS; GICD_TYPER.LPIS with an ITS", () => {
    const b = board({ cpus: 2, features: ["its"] });
    expect(mmioRead(b, gicr(0, GICR_TYPER), 8)).toBe((1n << 24n) | 1n);
    expect(mmioRead(b, gicr(1, GICR_TYPER), 8)).toBe((1n << 32n) | (1n << 24n) | (1n << 8n) | 0x10n | 1n);
    expect(mmioRead(b, gicr(1, GICR_TYPER + 4))).toBe(1n);
    expect(mmioRead(b, GICD_BASE + GICD_TYPER)).toBe(0x037a_0007n);
    expect(mmioRead(b, GICD_BASE + 0xffe8)).toBe(0x3bn); // PIDR2: GICv3
    expect(mmioRead(b, gicr(0, 0xffe8))).toBe(0x3bn);
    expect(mmioRead(b, gicr(0, 0xffe0))).toBe(0x93n); // PIDR0 of a redistributor
  });
});

describe("system registers", () => {
  it("reset values and clamping as QEMU's TCG CPU interface; write-only and read-only ones are UNDEFINED the other way", () => {
    const b = board({ cpus: 1 });
    expect(mrs(b, 0, ICC.CTLR_EL1)).toBe(0x8c00n);
    expect(mrs(b, 0, ICC.BPR0_EL1)).toBe(2n);
    expect(mrs(b, 0, ICC.BPR1_EL1)).toBe(3n);
    expect(mrs(b, 0, ICC.SRE_EL1)).toBe(7n);
    msr(b, 0, ICC.BPR1_EL1, 0);
    expect(mrs(b, 0, ICC.BPR1_EL1)).toBe(3n);
    msr(b, 0, ICC.PMR_EL1, 0xff);
    expect(mrs(b, 0, ICC.PMR_EL1)).toBe(0xf8n);
    msr(b, 0, ICC.CTLR_EL1, 1); // CBPR: BPR1 reads BPR0 + 1
    expect(mrs(b, 0, ICC.BPR1_EL1)).toBe(3n);
    expect(b.gic.readSysreg(0, ICC.EOIR1_EL1)).toBeUndefined();
    expect(b.gic.writeSysreg(0, ICC.IAR1_EL1, 0n)).toBe(false);
    expect(b.gic.readSysreg(0, 0x1234)).toBeUndefined();
    const cs = b.gic.state.cpu[0]!;
    expect(cs.icc_bpr).toEqual(new BigUint64Array([2n, 2n, 3n]));
    expect(cs.icc_ctlr_el3).toBe(0x28c00n);
  });

  it("reset() brings the distributor, redistributors and CPU interfaces back to their reset state and lowers the lines", () => {
    const b = board({ cpus: 2, features: ["its"] });
    bringUp(b);
    enablePrivate(b, 1, 27, 0x80);
    b.gic.setPrivateLine(1, 27, true);
    expect(b.irq[1]).toBe(true);
    b.gic.reset();
    expect(b.irq).toEqual([false, false]);
    expect(b.gic.state).toEqual(board({ cpus: 2, features: ["its"] }).gic.state);
  });
});
