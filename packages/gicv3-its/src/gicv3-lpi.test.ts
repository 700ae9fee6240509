import { describe, expect, it } from "vitest";
import { ICC } from "./cpu-interface.js";
import { ack, board, bringUp, enableLpis, enableSpi, eoi, gicr, itsCommands, ittOf, mmioRead, msi, mrs, setupIts, type Board } from "./gic-board.test-helper.js";
import { GICR_CTLR } from "./redistributor-frames.js";

/** Collections 0 → CPU 0 and 1 → CPU 1; device 0 (the requester of guest writes to GITS_TRANSLATER) with events 0..2. */
function lpiBoard(): Board {
  const b = board({ cpus: 2, features: ["its"] });
  bringUp(b);
  // One property table for both CPUs (CommonLPIAff): LPI 8194 at 0x60, the others at 0xa0.
  const priority = (intid: number) => (intid === 8194 ? 0x60 : 0xa0);
  enableLpis(b, 0, priority);
  enableLpis(b, 1, priority);
  setupIts(b);
  itsCommands(
    b,
    { op: "MAPC", icid: 0, rdbase: 0, valid: true },
    { op: "MAPC", icid: 1, rdbase: 1, valid: true },
    { op: "MAPD", deviceId: 0, ittAddr: ittOf(0), size: 4, valid: true },
    { op: "MAPTI", deviceId: 0, eventId: 0, intid: 8192, icid: 0 },
    { op: "MAPTI", deviceId: 0, eventId: 1, intid: 8193, icid: 1 },
    { op: "MAPTI", deviceId: 0, eventId: 2, intid: 8194, icid: 0 },
    { op: "SYNC", rdbase: 0 },
  );
  return b;
}

describe("LPIs through the ITS", () => {
  it("an MSI written to GITS_TRANSLATER is delivered through ICC_IAR1_EL1 with its LPI INTID, then EOI'd", () => {
    const b = lpiBoard();
    expect(mmioRead(b, gicr(0, GICR_CTLR))).toBe(0x3n); // CES | EnableLPIs
    expect(b.gic.its!.translate(0, 1)).toEqual({ intid: 8193, cpu: 1 });
    expect(b.irq).toEqual([false, false]);
    msi(b, 1);
    expect(b.irq).toEqual([false, true]);
    expect(mrs(b, 1, ICC.HPPIR1_EL1)).toBe(8193n);
    expect(ack(b, 1)).toBe(8193);
    expect(b.irq).toEqual([false, false]);
    expect(mrs(b, 1, ICC.RPR_EL1)).toBe(0xa0n);
    expect(b.gic.redistributors.pendingLpis(1)).toEqual([]);
    eoi(b, 1, 8193);
    expect(mrs(b, 1, ICC.RPR_EL1)).toBe(0xffn);
    expect(ack(b, 1)).toBe(1023);
  });

  it("orders LPIs by their property-table priority against SPIs and SGIs", () => {
    const b = lpiBoard();
    enableSpi(b, 33, 0x80, 0, true);
    msi(b, 0); // 8192 at 0xa0
    msi(b, 2); // 8194 at 0x60
    b.gic.setSharedLine(33, true);
    const order: number[] = [];
    for (let id = ack(b, 0); id !== 1023; id = ack(b, 0)) {
      order.push(id);
      eoi(b, 0, id);
    }
    expect(order).toEqual([8194, 33, 8192]);
  });

  it("LPIs wait for GICD_CTLR.EnableGrp1NS and for the CPU's EnableLPIs", () => {
    const b = lpiBoard();
    b.gic.distributor.write(0, 4, 0n);
    msi(b, 0);
    expect(b.irq[0]).toBe(false);
    b.gic.distributor.write(0, 4, 2n);
    expect(b.irq[0]).toBe(true);
    expect(ack(b, 0)).toBe(8192);
    eoi(b, 0, 8192);
    // An EOI of an LPI only drops the priority; nothing stays active.
    expect(mrs(b, 0, ICC.AP1R0_EL1)).toBe(0n);
  });
});
