import { ByteReader, ByteWriter, compile, JsonObject, StateLoadError, stringifyQemuJson, type Description } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { readCpreg, Sysreg, writeCpreg } from "./cpreg.js";
import { armCpuDescription, SVCR_ZA, type ArmCpuState } from "./description.js";
import { IrqLine } from "./interrupts.js";
import { createArmCpuState, L2CTLR_EL1 } from "./reset.js";
import { FFR_INDEX, readZreg, writeZreg, ZA_ROW_WORDS, ZREG_MIGRATED_WORDS } from "./sve.js";
import { qRegKey, VFP_XREGS_FIRST, VfpXreg } from "./vfp.js";

function save<S>(desc: Description<S>, state: S): { bytes: Uint8Array; vmdesc: JsonObject } {
  const w = new ByteWriter();
  const vmdesc = new JsonObject();
  compile(desc).save(w, state, vmdesc);
  return { bytes: w.result().slice(), vmdesc };
}

function load<S>(desc: Description<S>, bytes: Uint8Array, into: S, version = desc.version): S {
  const r = new ByteReader(bytes);
  compile(desc).load(r, into, version);
  expect(r.pos).toBe(bytes.length);
  return into;
}

/** The subsections a save wrote, in order (nested ones as "parent > child"). */
function sent(state: ArmCpuState): string[] {
  const names = (o: JsonObject, prefix: string): string[] => {
    const subs = o.get("subsections");
    if (!Array.isArray(subs)) return [];
    return subs.flatMap((x) => {
      const name = String((x as JsonObject).get("vmsd_name"));
      return [prefix + name, ...names(x as JsonObject, `${prefix}${name} > `)];
    });
  };
  return names(save(armCpuDescription, state).vmdesc, "");
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const subsectionHeader = (name: string, version: number) => "05" + hex(Uint8Array.of(name.length)) + Buffer.from(name).toString("hex") + version.toString(16).padStart(8, "0");

/** Bytes of the main `cpu` fields for a cpreg list of n entries. */
const mainBytes = (n: number) => 16 * 4 + 32 * 8 + 8 + 4 + 4 + 8 * 8 + 8 * 4 + 8 * 4 + 5 * 4 + 5 * 4 + 4 * 8 + 4 * 8 + 4 + 2 * 8 * n + 3 * 8 + 8 + 4 + 4 + 8 + 8 + 8 + 1;

describe("createArmCpuState: QEMU 7.2's reset values", () => {
  it("resets a cortex-a57 into EL1h with DAIF masked, Z set, no exclusive monitor, the model's VFP IDs and cpreg list", () => {
    const s = createArmCpuState();
    expect(s.cpsr).toBe(0x4000_03c5);
    expect(s["env.pc"]).toBe(0n);
    expect(s["env.exclusive_addr"]).toBe(0xffff_ffff_ffff_ffffn);
    expect(s["gt_timer[0]"]).toBe(-1n);
    expect(s["gt_timer[1]"]).toBe(-1n);
    expect(s.power_state).toBe(0);
    expect(s["env.vfp.xregs[0]"]).toBe(0x4103_4070);
    expect(s["env.vfp.xregs"][VfpXreg.MVFR0 - VFP_XREGS_FIRST]).toBe(0x1011_0222);
    expect(s["env.vfp.xregs"][VfpXreg.MVFR1 - VFP_XREGS_FIRST]).toBe(0x1211_1111);
    expect(s["env.vfp.xregs"][VfpXreg.MVFR2 - VFP_XREGS_FIRST]).toBe(0x43);
    expect(s.cpreg_vmstate_array_len).toBe(258);
    expect(readCpreg(s, "SCTLR_EL1")).toBe(0x00c5_0838n);
    expect(readCpreg(s, L2CTLR_EL1)).toBe(0n);
    expect(main(s).length).toBe(mainBytes(258));
  });

  it("follows the configuration: EL, PC, power, core count, model", () => {
    expect(createArmCpuState({ resetEl: 2 }).cpsr).toBe(0x4000_03c9);
    expect(createArmCpuState({ resetEl: 3, resetPc: 0x4000_0000n })["env.pc"]).toBe(0x4000_0000n);
    expect(createArmCpuState({ startPoweredOff: true }).power_state).toBe(1);
    expect(readCpreg(createArmCpuState({ coreCount: 4 }), L2CTLR_EL1)).toBe(3n << 24n);
    const max = createArmCpuState({ model: "max" });
    expect(max.cpreg_vmstate_array_len).toBe(304);
    expect(readCpreg(max, "ID_AA64PFR1_EL1")! >> 24n & 0xfn).toBe(1n); // SME
    expect(readCpreg(max, "SVCR")).toBe(0n);
    // An AArch32 A-profile core resets in Supervisor mode with A, I, F set.
    expect(createArmCpuState({ aarch64: false }).cpsr).toBe(0x4000_01d3);
  });
});

function main(s: ArmCpuState): Uint8Array {
  const { bytes } = save(armCpuDescription, s);
  const vfp = Buffer.from(bytes).indexOf(Buffer.from("cpu/vfp"));
  return bytes.subarray(0, vfp - 2);
}

describe("cpu needed() rules: a subsection is sent exactly when QEMU 7.2 sends it", () => {
  it("sends cpu/vfp and cpu/irq-line-state for a cortex-a57, as in the committed stream", () => {
    expect(sent(createArmCpuState())).toEqual(["cpu/vfp", "cpu/irq-line-state"]);
  });

  it("adds cpu/sve for -cpu max, and cpu/sme only while SVCR.ZA is set (read from the cpreg list)", () => {
    const s = createArmCpuState({ model: "max" });
    expect(sent(s)).toEqual(["cpu/vfp", "cpu/sve", "cpu/irq-line-state"]);
    writeCpreg(s, "SVCR", 1n); // streaming mode alone
    expect(sent(s)).toEqual(["cpu/vfp", "cpu/sve", "cpu/irq-line-state"]);
    writeCpreg(s, "SVCR", SVCR_ZA);
    expect(sent(s)).toEqual(["cpu/vfp", "cpu/sve", "cpu/sme", "cpu/irq-line-state"]);
    // A cortex-a57 has no SVCR: never cpu/sme.
    expect(readCpreg(createArmCpuState(), "SVCR")).toBeUndefined();
  });

  it("sends cpu/serror while an SError is pending", () => {
    const s = createArmCpuState();
    s["env.serror.pending"] = 1;
    s["env.serror.has_esr"] = 1;
    s["env.serror.esr"] = 0xbe00_0000n;
    expect(sent(s)).toEqual(["cpu/vfp", "cpu/serror", "cpu/irq-line-state"]);
  });

  it("decides cpu/vfp by the FP/SIMD feature of the CPU's own architecture", () => {
    expect(sent(createArmCpuState({ fpSimd: false }))).toEqual(["cpu/irq-line-state"]);
    expect(sent(createArmCpuState({ aarch64: false }))).toEqual(["cpu/vfp", "cpu/irq-line-state"]);
    const s = createArmCpuState();
    s["isar.aa64_fp_simd"] = 0; // aa32_vfp_simd alone does not count on an AArch64 CPU
    expect(s["isar.aa32_vfp_simd"]).toBe(1);
    expect(sent(s)).toEqual(["cpu/irq-line-state"]);
    s["features.aarch64"] = 0;
    expect(sent(s)).toEqual(["cpu/vfp", "cpu/irq-line-state"]);
  });

  it("keeps QEMU's order when (nearly) everything is sent, M-profile nesting included", () => {
    const s = createArmCpuState({
      model: "max",
      mve: true,
      features: { m: true, v8: true, pmsa: true, iwmmxt: true, thumb2ee: true, mSecurity: true },
      pmsav7Dregion: 8,
      sauSregion: 4,
    });
    writeCpreg(s, "SVCR", SVCR_ZA);
    s["env.serror.pending"] = 1;
    expect(sent(s)).toEqual([
      "cpu/vfp",
      "cpu/iwmmxt",
      "cpu/m",
      "cpu/m > cpu/m/faultmask-primask",
      "cpu/m > cpu/m/csselr",
      "cpu/m > cpu/m/scr",
      "cpu/m > cpu/m/other-sp",
      "cpu/m > cpu/m/v8m",
      "cpu/m > cpu/m/fp",
      "cpu/m > cpu/m/mve",
      "cpu/thumb2ee",
      "cpu/pmsav7-rnr",
      "cpu/pmsav8",
      "cpu/m-security",
      "cpu/sve",
      "cpu/sme",
      "cpu/serror",
      "cpu/irq-line-state",
    ]);
  });

  it("sends cpu/pmsav7 for v7 PMSA cores, cpu/pmsav8 for v8 ones", () => {
    const v7r = createArmCpuState({ aarch64: false, features: { pmsa: true, v7: true, v8: false }, pmsav7Dregion: 12 });
    expect(sent(v7r)).toEqual(["cpu/vfp", "cpu/pmsav7", "cpu/irq-line-state"]);
    const v8r = createArmCpuState({ aarch64: false, features: { pmsa: true, v7: true, v8: true }, pmsav7Dregion: 12 });
    expect(sent(v8r)).toEqual(["cpu/vfp", "cpu/pmsav8", "cpu/irq-line-state"]);
  });

  it("sends cpu/m/csselr only when CLIDR lists no cache (QEMU's arm_v7m_csselr_razwi answers the other way round)", () => {
    const m = (clidr: number) => sent(createArmCpuState({ aarch64: false, fpSimd: false, features: { m: true, v8: false }, clidr }));
    expect(m(0)).toContain("cpu/m > cpu/m/csselr");
    expect(m(0x0900_0003)).not.toContain("cpu/m > cpu/m/csselr");
    expect(m(0x0900_0003)).toEqual(["cpu/m", "cpu/m > cpu/m/faultmask-primask", "cpu/m > cpu/m/scr", "cpu/m > cpu/m/other-sp", "cpu/pmsav7-rnr", "cpu/irq-line-state"]);
  });

  it("a state loaded without the configuration locals sends only what migrated data decides", () => {
    const { bytes } = save(armCpuDescription, createArmCpuState({ model: "max" }));
    const bare = load(armCpuDescription, bytes, {} as ArmCpuState);
    expect(sent(bare)).toEqual(["cpu/irq-line-state"]);
    (bare as Record<string, unknown>)["env.serror.pending"] = 1;
    (bare as Record<string, unknown>)["env.serror.has_esr"] = 0;
    (bare as Record<string, unknown>)["env.serror.esr"] = 0n;
    expect(sent(bare)).toEqual(["cpu/serror", "cpu/irq-line-state"]);
  });
});

describe("layouts of what the committed stream does not have, byte for byte", () => {
  it("cpu/sve: the high 14 words of each Z register, then P0..P15 and FFR", () => {
    const s = createArmCpuState({ model: "max" });
    writeZreg(s, 0, [1n, 2n, 3n, 4n]);
    writeZreg(s, 31, Array.from({ length: ZREG_MIGRATED_WORDS }, (_, i) => BigInt(i + 0x100)));
    s["env.vfp.pregs"][FFR_INDEX]!.p[3] = 0xffn;
    const { bytes, vmdesc } = save(armCpuDescription, s);
    const start = Buffer.from(bytes).indexOf(Buffer.from("cpu/sve")) - 2;
    const u64 = (v: bigint) => v.toString(16).padStart(16, "0");
    const z0 = u64(3n) + u64(4n) + "00".repeat(8 * 12);
    const z31 = Array.from({ length: 14 }, (_, i) => u64(BigInt(i + 0x102))).join("");
    const pregs = "00".repeat(16 * 32) + "00".repeat(24) + u64(0xffn);
    expect(hex(bytes.subarray(start, start + 2 + "cpu/sve".length + 4 + 32 * 14 * 8 + 17 * 32))).toBe(subsectionHeader("cpu/sve", 1) + z0 + "00".repeat(30 * 14 * 8) + z31 + pregs);
    expect(stringifyQemuJson(vmdesc)).toContain(
      '{"vmsd_name": "cpu/sve", "version": 1, "fields": [{"name": "env.vfp.zregs", "array_len": 32, "type": "struct", "struct": {"vmsd_name": "cpu/sve/zreg_hi", "version": 1, "fields": [{"name": "d", "array_len": 14, "type": "uint64", "size": 8}]}, "size": 112}, {"name": "env.vfp.pregs", "array_len": 17, "type": "struct", "struct": {"vmsd_name": "cpu/sve/preg", "version": 1, "fields": [{"name": "p", "array_len": 4, "type": "uint64", "size": 8}]}, "size": 32}]}',
    );
    // The low two words went to cpu/vfp.
    expect([...s[qRegKey(0)]]).toEqual([1n, 2n]);
  });

  it("cpu/sme: 256 ZA rows of 32 words; cpu/serror: two bytes and the syndrome", () => {
    const s = createArmCpuState({ model: "max" });
    writeCpreg(s, "SVCR", SVCR_ZA);
    s["env.zarray"][255]!.d[ZA_ROW_WORDS - 1] = 0xabn;
    s["env.serror.pending"] = 1;
    s["env.serror.esr"] = 0x1234n;
    const { bytes, vmdesc } = save(armCpuDescription, s);
    const start = Buffer.from(bytes).indexOf(Buffer.from("cpu/sme")) - 2;
    const za = "00".repeat(256 * 32 * 8 - 1) + "ab";
    const serror = subsectionHeader("cpu/serror", 1) + "01" + "00" + "0000000000001234";
    const irq = subsectionHeader("cpu/irq-line-state", 1) + "00000000";
    expect(hex(bytes.subarray(start))).toBe(subsectionHeader("cpu/sme", 1) + za + serror + irq);
    expect(stringifyQemuJson(vmdesc)).toContain(
      '{"vmsd_name": "cpu/sme", "version": 1, "fields": [{"name": "env.zarray", "array_len": 256, "type": "struct", "struct": {"vmsd_name": "vreg", "version": 1, "fields": [{"name": "d", "array_len": 32, "type": "uint64", "size": 8}]}, "size": 256}]}',
    );
  });

  it("PMSAv8 region arrays are as long as pmsav7_dregion", () => {
    const s = createArmCpuState({ aarch64: false, features: { pmsa: true, v7: true, v8: true }, pmsav7Dregion: 3 });
    s["env.pmsav8.rbar[M_REG_NS]"][2] = 0x2000_0000;
    s["env.pmsav8.mair1[M_REG_NS]"] = 0x44;
    const { vmdesc } = save(armCpuDescription, s);
    expect(stringifyQemuJson(vmdesc)).toContain(
      '{"vmsd_name": "cpu/pmsav8", "version": 1, "fields": [{"name": "env.pmsav8.rbar[M_REG_NS]", "array_len": 3, "type": "uint32", "size": 4}, {"name": "env.pmsav8.rlar[M_REG_NS]", "array_len": 3, "type": "uint32", "size": 4}, {"name": "env.pmsav8.mair0[M_REG_NS]", "type": "uint32", "size": 4}, {"name": "env.pmsav8.mair1[M_REG_NS]", "type": "uint32", "size": 4}]}',
    );
  });

  it("writes cpsr as a be32 and power_state as one byte, under QEMU's info names", () => {
    const s = createArmCpuState({ startPoweredOff: true });
    const { bytes, vmdesc } = save(armCpuDescription, s);
    expect(hex(bytes.subarray(16 * 4 + 32 * 8 + 8, 16 * 4 + 32 * 8 + 12))).toBe("400003c5");
    expect(bytes[mainBytes(258) - 1]).toBe(1);
    const json = stringifyQemuJson(vmdesc);
    expect(json).toContain('{"name": "cpsr", "type": "cpsr", "size": 4}');
    expect(json).toContain('{"name": "unused", "type": "unused_buffer", "size": 8}, {"name": "env.exception.syndrome"');
    expect(json).toContain('{"name": "gt_timer[0]", "type": "timer", "size": 8}, {"name": "gt_timer[1]", "type": "timer", "size": 8}, {"name": "power_state", "type": "powered_off", "size": 1}');
  });
});

describe("cpu save and load", () => {
  /** A -cpu max CPU with distinctive values everywhere, SVE and ZA included. */
  function busyCpu(): ArmCpuState {
    const s = createArmCpuState({ model: "max", coreCount: 2 });
    let n = 7n;
    const next = () => (n = (n * 6364136223846793005n + 1442695040888963407n) & 0xffff_ffff_ffff_ffffn);
    for (let i = 0; i < 31; i++) s["env.xregs"][i] = next();
    s["env.pc"] = 0x4020_1234n;
    s.cpsr = 0x8000_0345; // N, EL1h, D and I masked
    s["env.sp_el"][0] = next();
    s["env.sp_el"][1] = 0x4100_0000n;
    s["env.elr_el"][1] = 0x4020_0100n;
    s["env.banked_spsr"][1] = 0x3c5n;
    for (let z = 0; z < 32; z++) writeZreg(s, z, Array.from({ length: ZREG_MIGRATED_WORDS }, next));
    for (const p of s["env.vfp.pregs"]) for (let i = 0; i < p.p.length; i++) p.p[i] = next();
    writeCpreg(s, "SVCR", SVCR_ZA | 1n);
    writeCpreg(s, "ZCR_EL1", 7n);
    writeCpreg(s, "VBAR_EL1", 0x4020_0800n);
    writeCpreg(s, "SCTLR_EL1", 0x30d0_199dn);
    writeCpreg(s, "TTBR0_EL1", next());
    writeCpreg(s, "CNTV_CVAL_EL0", next());
    writeCpreg(s, "CNTV_CTL_EL0", 1n);
    s["env.zarray"].forEach((row, i) => (row.d[i % ZA_ROW_WORDS] = next()));
    s["env.serror.pending"] = 1;
    s["env.serror.has_esr"] = 1;
    s["env.serror.esr"] = 0xbe00_0011n;
    s["env.irq_line_state"] = IrqLine.IRQ | IrqLine.VIRQ;
    s["env.exclusive_addr"] = 0x4020_8000n;
    s["env.exclusive_val"] = next();
    s["env.exception.syndrome"] = 0x5600_0000;
    s["gt_timer[1]"] = 123_456_789n;
    s.fpscr = 0x0300_0010;
    return s;
  }

  it("gives back the same state and the same bytes", () => {
    const original = busyCpu();
    const { bytes } = save(armCpuDescription, original);
    const back = load(armCpuDescription, bytes, createArmCpuState({ model: "max" }));
    // Everything came back, L2CTLR (the core count) included: cpreg values come with the stream.
    expect(back).toEqual(original);
    expect(hex(save(armCpuDescription, back).bytes)).toBe(hex(bytes));
    expect(readZreg(back, 5)).toEqual(readZreg(original, 5));
    expect(readCpreg(back, Sysreg.ZCR_EL1)).toBe(7n);
    expect(readCpreg(back, L2CTLR_EL1)).toBe(1n << 24n);
    // Into an empty object: everything migrated arrives, the locals do not.
    const bare = load(armCpuDescription, bytes, {} as ArmCpuState) as Record<string, unknown>;
    for (const [k, v] of Object.entries(original)) {
      if (k.startsWith("features.") || k.startsWith("isar.") || ["clidr", "pmsav7_dregion", "sau_sregion"].includes(k)) expect(bare[k], k).toBeUndefined();
      else if (!k.startsWith("env.v7m.") && !k.startsWith("env.pmsav") && !k.startsWith("env.sau.") && !k.startsWith("env.iwmmxt.") && !k.startsWith("env.tee")) expect(bare[k], k).toEqual(v);
    }
  });

  it("refuses a cpreg list longer than the local one (VMSTATE_INT32_POSITIVE_LE), as QEMU does", () => {
    const { bytes } = save(armCpuDescription, createArmCpuState({ model: "max" }));
    expect(() => load(armCpuDescription, bytes, createArmCpuState())).toThrow(/int32 le check failed: received 304 is not in 0..258/);
    const a57 = save(armCpuDescription, createArmCpuState()).bytes;
    expect(load(armCpuDescription, a57, createArmCpuState({ model: "max" })).cpreg_vmstate_array_len).toBe(258);
  });

  it("takes a stream without cpu/irq-line-state (pre-2.12) as no line raised", () => {
    const s = createArmCpuState();
    s["env.irq_line_state"] = IrqLine.FIQ;
    const { bytes } = save(armCpuDescription, s);
    const cut = bytes.subarray(0, bytes.length - (2 + "cpu/irq-line-state".length + 4 + 4));
    expect(load(armCpuDescription, cut, createArmCpuState({ startPoweredOff: true }))["env.irq_line_state"]).toBe(0);
    expect(load(armCpuDescription, bytes, createArmCpuState())["env.irq_line_state"]).toBe(IrqLine.FIQ);
  });

  it("checks what QEMU's VMSTATE_VALIDATE entries check: M-profile region numbers and CSSELR", () => {
    const m = () => createArmCpuState({ aarch64: false, features: { m: true, mSecurity: true }, pmsav7Dregion: 8, sauSregion: 4 });
    const ok = m();
    ok["env.pmsav7.rnr[M_REG_S]"] = 7;
    ok["env.sau.rnr"] = 3;
    const okBytes = save(armCpuDescription, ok).bytes;
    expect(load(armCpuDescription, okBytes, m())["env.pmsav7.rnr[M_REG_S]"]).toBe(7);
    for (const [key, value, why] of [
      ["env.pmsav7.rnr[M_REG_S]", 8, "secure MPU_RNR"],
      ["env.sau.rnr", 4, "SAU_RNR"],
    ] as const) {
      const bad = m();
      bad[key] = value;
      const bytes = save(armCpuDescription, bad).bytes;
      let err: unknown;
      try {
        load(armCpuDescription, bytes, m());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StateLoadError);
      expect(String(err)).toContain(why);
    }
    const csselr = m();
    csselr["env.v7m.csselr"][1] = 0x10;
    expect(() => load(armCpuDescription, save(armCpuDescription, csselr).bytes, m())).toThrow(/CSSELR/);
  });
});
