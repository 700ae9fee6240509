import { describe, expect, it } from "vitest";
import {
  aa32CpregIndex,
  aa64SysregIndex,
  cpregEntries,
  cpregName,
  decodeCpregIndex,
  findCpreg,
  readCpreg,
  setCpregList,
  Sysreg,
  writeCpreg,
  type CpregList,
} from "./cpreg.js";
import { cortexA57Model, maxModel } from "./models.js";

const list = (): CpregList => ({ cpreg_vmstate_array_len: 0, cpreg_vmstate_indexes: new BigUint64Array(0), cpreg_vmstate_values: new BigUint64Array(0) });

describe("cpreg ids: KVM's 64-bit register ids, as QEMU's cpreg_to_kvm_id makes them", () => {
  it("encodes AArch64 system registers as 0x6030_0000_0013_xxxx with op0/op1/CRn/CRm/op2 packed 2/3/4/4/3", () => {
    expect(Sysreg.SCTLR_EL1).toBe(0x6030_0000_0013_c080n);
    expect(Sysreg.VBAR_EL1).toBe(0x6030_0000_0013_c600n);
    expect(Sysreg.CNTV_CVAL_EL0).toBe(0x6030_0000_0013_df1an);
    expect(Sysreg.MDSCR_EL1).toBe(0x6030_0000_0013_8012n);
    expect(aa64SysregIndex(3, 7, 15, 15, 7)).toBe(0x6030_0000_0013_ffffn);
    expect(() => aa64SysregIndex(4, 0, 0, 0, 0)).toThrow(RangeError);
  });

  it("encodes AArch32 registers with their size, QEMU's NS bank bit and cp/CRn/CRm/opc1/opc2", () => {
    // CPACR, Non-secure bank: MRC p15, 0, <Rt>, c1, c0, 2
    expect(aa32CpregIndex({ cp: 15, opc1: 0, crn: 1, crm: 0, opc2: 2, ns: true })).toBe(0x4020_0000_200f_0802n);
    // TTBR0 as a 64-bit register (MRRC p15, 0, <Rt>, <Rt2>, c2)
    expect(aa32CpregIndex({ cp: 15, opc1: 0, crn: 0, crm: 2, opc2: 0, is64: true })).toBe(0x4030_0000_000f_0100n);
  });

  it("decodes every id of both models' lists and encodes it back", () => {
    for (const model of [cortexA57Model(), maxModel()]) {
      for (const [id] of model.cpregs) {
        const e = decodeCpregIndex(id);
        expect(e, cpregName(id)).toBeDefined();
        expect(e!.aarch64 ? aa64SysregIndex(e!.op0, e!.op1, e!.crn, e!.crm, e!.op2) : aa32CpregIndex(e!)).toBe(id);
      }
    }
    expect(decodeCpregIndex(0x6030_0000_0014_0000n)).toBeUndefined(); // not the sysreg coprocessor
    expect(decodeCpregIndex(0x6020_0000_0013_c080n)).toBeUndefined(); // a 32-bit AArch64 register
  });

  it("names registers by their Sysreg name, or generically", () => {
    expect(cpregName(Sysreg.TPIDR_EL0)).toBe("TPIDR_EL0");
    expect(cpregName(aa64SysregIndex(3, 1, 11, 0, 2))).toBe("S3_1_C11_C0_2");
    expect(cpregName(0x4020_0000_200f_0802n)).toBe("p15,0,c1,c0,2 (NS)");
    expect(cpregName(0x4030_0000_000f_0100n)).toBe("p15,0,c2");
  });

  it("finds the registers an interpreter needs in the cortex-a57 list, which is sorted", () => {
    const s = list();
    setCpregList(s, cortexA57Model().cpregs);
    expect(s.cpreg_vmstate_array_len).toBe(258);
    const ids = [...s.cpreg_vmstate_indexes];
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    for (const n of ["SCTLR_EL1", "TTBR0_EL1", "TTBR1_EL1", "TCR_EL1", "MAIR_EL1", "VBAR_EL1", "ESR_EL1", "FAR_EL1", "TPIDR_EL0", "CNTV_CTL_EL0", "CNTV_CVAL_EL0", "CNTFRQ_EL0", "FPCR", "FPSR", "CTR_EL0"] as const) {
      expect(findCpreg(s, n), n).toBeGreaterThanOrEqual(0);
    }
    // Aliases of migrated fields (ELR_EL1 is env.elr_el[1], SP_EL0 env.sp_el[0]) and registers QEMU computes are not in the list.
    for (const n of ["ELR_EL1", "SPSR_EL1", "SP_EL0", "NZCV", "DAIF", "MIDR_EL1", "MPIDR_EL1"] as const) expect(findCpreg(s, n), n).toBe(-1);
    expect(readCpreg(s, "SCTLR_EL1")).toBe(0x00c5_0838n);
    expect(readCpreg(s, "CNTFRQ_EL0")).toBe(62_500_000n);
    expect(readCpreg(s, "CLIDR_EL1")).toBe(0x0a20_0023n);
  });

  it("writes in place, inserts in id order, refuses to insert when told", () => {
    const s = list();
    setCpregList(s, [
      [Sysreg.VBAR_EL1, 1n],
      [Sysreg.SCTLR_EL1, 2n],
    ]);
    expect(cpregEntries(s)).toEqual([
      [Sysreg.SCTLR_EL1, 2n],
      [Sysreg.VBAR_EL1, 1n],
    ]);
    writeCpreg(s, "VBAR_EL1", 0x4000_0000n);
    writeCpreg(s, Sysreg.TCR_EL1, -1n);
    expect(cpregEntries(s)).toEqual([
      [Sysreg.SCTLR_EL1, 2n],
      [Sysreg.TCR_EL1, 0xffff_ffff_ffff_ffffn],
      [Sysreg.VBAR_EL1, 0x4000_0000n],
    ]);
    expect(s.cpreg_vmstate_array_len).toBe(3);
    expect(() => writeCpreg(s, "MAIR_EL1", 1n, { insert: false })).toThrow(/MAIR_EL1/);
    expect(readCpreg(s, "MAIR_EL1")).toBeUndefined();
    expect(() => setCpregList(s, [[1n, 0n], [1n, 2n]])).toThrow(/twice/);
  });
});
