import { ByteReader, ByteWriter, compile, JsonObject, stringifyQemuJson, type Description } from "@vmstate/core";
import { describe, expect, it } from "vitest";
import { Feature, Misa, PrivVersion, VREG_WORDS } from "./constants.js";
import { riscvCpuDescription, type RiscvCpuState } from "./description.js";
import { createRiscvCpuState, defaultInterruptPriority } from "./reset.js";

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

/** The subsections a save wrote, in order, as its vmdesc entry lists them. */
function sent(state: RiscvCpuState): string[] {
  const subs = save(riscvCpuDescription, state).vmdesc.get("subsections");
  return Array.isArray(subs) ? subs.map((s) => String((s as JsonObject).get("vmsd_name"))) : [];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const subsectionHeader = (name: string, version: number) => "05" + hex(Uint8Array.of(name.length)) + Buffer.from(name).toString("hex") + version.toString(16).padStart(8, "0");
const u64 = (v: bigint) => v.toString(16).padStart(16, "0");

/** Bytes of the main `cpu` fields (everything before the first subsection). */
const MAIN_BYTES = 32 * 8 + 32 * 8 + 64 + 64 + 8 * 8 + 5 * 4 + 24 * 8 + 32 * (4 * 8 + 1) + 2 * 32 * 8 + 5 * 8;

describe("cpu needed() rules: a subsection is sent exactly when QEMU 7.2 sends it", () => {
  it("sends pmp, hyper, envcfg and debug for QEMU's default riscv64 hart, as in the committed streams", () => {
    expect(sent(createRiscvCpuState())).toEqual(["cpu/pmp", "cpu/hyper", "cpu/envcfg", "cpu/debug"]);
  });

  it("keeps QEMU's order when every subsection is sent", () => {
    const all = createRiscvCpuState({ extensions: "acdfhimsuvj", xlen: 128, kvm: true });
    expect(sent(all)).toEqual(["cpu/pmp", "cpu/hyper", "cpu/vector", "cpu/pointer_masking", "cpu/rv128", "cpu/kvmtimer", "cpu/envcfg", "cpu/debug"]);
  });

  it("sends none for a bare RV64IMAC hart on priv 1.11 without PMP or triggers", () => {
    expect(sent(createRiscvCpuState({ extensions: "imac", pmp: false, debug: false, privVersion: PrivVersion.V1_11_0 }))).toEqual([]);
  });

  it.each([
    ["cpu/pmp", { pmp: false }],
    ["cpu/hyper", { extensions: "acdfimsu" }],
    ["cpu/envcfg", { privVersion: PrivVersion.V1_11_0 }],
    ["cpu/debug", { debug: false }],
  ] as const)("leaves out %s when the hart lacks it", (name, config) => {
    const s = sent(createRiscvCpuState(config));
    expect(s).not.toContain(name);
    expect(s.length).toBe(3);
  });

  it("decides from the migrated words, not from the configuration: features, misa_ext, priv_ver, misa_mxl_max", () => {
    const s = createRiscvCpuState({ extensions: "imac", pmp: false, debug: false, privVersion: PrivVersion.V1_10_0 });
    s["env.features"] |= 1 << Feature.PMP;
    expect(sent(s)).toEqual(["cpu/pmp"]);
    s["env.features"] = 1 << Feature.DEBUG;
    expect(sent(s)).toEqual(["cpu/debug"]);
    s["env.misa_ext"] |= Misa.H | Misa.V | Misa.J;
    expect(sent(s)).toEqual(["cpu/hyper", "cpu/vector", "cpu/pointer_masking", "cpu/debug"]);
    // misa_ext_mask is what the hart could have; QEMU looks at the current misa_ext.
    s["env.misa_ext"] = Misa.I;
    s["env.misa_ext_mask"] = 0xffffffff;
    s["env.priv_ver"] = PrivVersion.V1_12_0;
    expect(sent(s)).toEqual(["cpu/envcfg", "cpu/debug"]);
    // The current XLEN does not matter, the widest does.
    s["env.misa_mxl"] = 3;
    expect(sent(s)).toEqual(["cpu/envcfg", "cpu/debug"]);
    s["env.misa_mxl_max"] = 3;
    expect(sent(s)).toEqual(["cpu/rv128", "cpu/envcfg", "cpu/debug"]);
  });

  it("sends cpu/kvmtimer only under KVM, which only the local accel.kvm says", () => {
    const s = createRiscvCpuState();
    expect(sent(s)).not.toContain("cpu/kvmtimer");
    s["accel.kvm"] = 1;
    expect(sent(s)).toEqual(["cpu/pmp", "cpu/hyper", "cpu/kvmtimer", "cpu/envcfg", "cpu/debug"]);
    // A state loaded from a stream has no accel.kvm: it counts as TCG.
    const { bytes } = save(riscvCpuDescription, createRiscvCpuState());
    const loaded = load(riscvCpuDescription, bytes, {} as RiscvCpuState);
    expect(sent(loaded)).toEqual(["cpu/pmp", "cpu/hyper", "cpu/envcfg", "cpu/debug"]);
  });

  it("always sends all 32 cpu/pmu counters in the main section: QEMU never consults that VMSD's needed()", () => {
    const s = createRiscvCpuState({ extensions: "imac", pmp: false, debug: false, privVersion: PrivVersion.V1_10_0 });
    const { bytes, vmdesc } = save(riscvCpuDescription, s);
    expect(bytes.length).toBe(MAIN_BYTES);
    expect(stringifyQemuJson(vmdesc)).toContain(
      '{"name": "env.pmu_ctrs", "array_len": 32, "type": "struct", "struct": {"vmsd_name": "cpu/pmu", "version": 1, "fields": [{"name": "mhpmcounter_val", "type": "uint64", "size": 8}, {"name": "mhpmcounterh_val", "type": "uint64", "size": 8}, {"name": "mhpmcounter_prev", "type": "uint64", "size": 8}, {"name": "mhpmcounterh_prev", "type": "uint64", "size": 8}, {"name": "started", "type": "bool", "size": 1}]}, "size": 33}',
    );
  });
});

describe("subsections the committed streams do not have, byte for byte", () => {
  const bare = () => createRiscvCpuState({ extensions: "imac", pmp: false, debug: false, privVersion: PrivVersion.V1_10_0 });

  it("cpu/vector: 32 registers of VLEN 1024, then vxrm, vxsat, vl, vstart, vtype and vill", () => {
    const s = bare();
    s["env.misa_ext"] |= Misa.V;
    s["env.vreg"][0] = 0x0102030405060708n;
    s["env.vreg"][VREG_WORDS - 1] = 0xffn;
    s["env.vxrm"] = 2n;
    s["env.vxsat"] = 1n;
    s["env.vl"] = 16n;
    s["env.vstart"] = 3n;
    s["env.vtype"] = 0x8000000000000000n;
    s["env.vill"] = true;
    const { bytes, vmdesc } = save(riscvCpuDescription, s);
    const tail = hex(bytes.subarray(MAIN_BYTES));
    const regs = u64(0x0102030405060708n) + "00".repeat(8 * (VREG_WORDS - 2)) + u64(0xffn);
    expect(tail).toBe(subsectionHeader("cpu/vector", 2) + regs + u64(2n) + u64(1n) + u64(16n) + u64(3n) + u64(0x8000000000000000n) + "01");
    expect(stringifyQemuJson(vmdesc)).toContain(
      '"subsections": [{"vmsd_name": "cpu/vector", "version": 2, "fields": [{"name": "env.vreg", "array_len": 512, "type": "uint64", "size": 8}, {"name": "env.vxrm", "type": "uint64", "size": 8}, {"name": "env.vxsat", "type": "uint64", "size": 8}, {"name": "env.vl", "type": "uint64", "size": 8}, {"name": "env.vstart", "type": "uint64", "size": 8}, {"name": "env.vtype", "type": "uint64", "size": 8}, {"name": "env.vill", "type": "bool", "size": 1}]}]',
    );
  });

  it("cpu/pointer_masking, cpu/rv128 and cpu/kvmtimer", () => {
    const s = bare();
    s["env.misa_ext"] |= Misa.J;
    s["env.misa_mxl_max"] = 3;
    s["accel.kvm"] = 1;
    ["env.mmte", "env.mpmmask", "env.mpmbase", "env.spmmask", "env.spmbase", "env.upmmask", "env.upmbase"].forEach((k, i) => {
      (s as Record<string, unknown>)[k] = BigInt(i + 1);
    });
    s["env.gprh"][31] = 0xabn;
    s["env.mscratchh"] = 0x11n;
    s["env.sscratchh"] = 0x22n;
    s["env.kvm_timer_time"] = 0x100n;
    s["env.kvm_timer_compare"] = 0x200n;
    s["env.kvm_timer_state"] = 1n;
    const tail = hex(save(riscvCpuDescription, s).bytes.subarray(MAIN_BYTES));
    expect(tail).toBe(
      subsectionHeader("cpu/pointer_masking", 1) +
        [1n, 2n, 3n, 4n, 5n, 6n, 7n].map(u64).join("") +
        subsectionHeader("cpu/rv128", 1) +
        "00".repeat(31 * 8) +
        u64(0xabn) +
        u64(0x11n) +
        u64(0x22n) +
        subsectionHeader("cpu/kvmtimer", 1) +
        u64(0x100n) +
        u64(0x200n) +
        u64(1n),
    );
  });
});

describe("cpu save and load", () => {
  /** A hart with every subsection and distinctive values everywhere. */
  function busyHart(): RiscvCpuState {
    const s = createRiscvCpuState({ hartId: 3, extensions: "acdfhimsuvj", xlen: 128, kvm: true, epmp: true });
    let n = 1n;
    const next = () => (n = (n * 6364136223846793005n + 1442695040888963407n) & 0xffff_ffff_ffff_ffffn);
    for (let i = 0; i < 32; i++) {
      s["env.gpr"][i] = i === 0 ? 0n : next();
      s["env.fpr"][i] = next();
      s["env.gprh"][i] = next();
    }
    for (let i = 0; i < VREG_WORDS; i++) s["env.vreg"][i] = next();
    s["env.pmp_state.pmp"].forEach((e, i) => {
      e.addr_reg = next() >> 10n;
      e.cfg_reg = (i * 37) & 0xff;
    });
    s["env.pmu_ctrs"].forEach((c, i) => {
      c.mhpmcounter_val = next();
      c.mhpmcounter_prev = next();
      c.started = i % 3 === 0;
    });
    s["env.hstatus"] = 0x2_0000_0080n;
    s["env.hgatp"] = 0x8000_0000_0008_0000n;
    s["env.htimedelta"] = 0xffff_ffff_ffff_fff0n;
    s["env.vsatp"] = 0x9000_0000_0000_1234n;
    s["env.mstatus_hs"] = 0xa_0000_0000n;
    s["env.hviprio"][13] = 7;
    s["env.virt"] = 1n;
    s["env.priv"] = 1n;
    s["env.menvcfg"] = 0xc000_0000_0000_00f0n;
    s["env.trigger_cur"] = 1n;
    s["env.tdata2"][1] = 0x8020_0000n;
    s["env.vl"] = 32n;
    s["env.vill"] = false;
    s["env.kvm_timer_compare"] = next();
    s["env.fflags"] = 0x11; // NV and NX: travels in vmstate's own subsection
    return s;
  }

  it("gives back the same state and the same bytes", () => {
    const original = busyHart();
    const { bytes } = save(riscvCpuDescription, original);
    const back = load(riscvCpuDescription, bytes, createRiscvCpuState({ kvm: true }));
    expect(back).toEqual(original);
    expect(hex(save(riscvCpuDescription, back).bytes)).toBe(hex(bytes));
    expect(hex(bytes)).toContain(Buffer.from("cpu/vmstate-fflags").toString("hex"));
    // Into an empty object: everything migrated arrives; the local does not.
    const bare = load(riscvCpuDescription, bytes, {} as RiscvCpuState);
    const { "accel.kvm": _kvm, ...migrated } = original;
    expect(bare).toEqual(migrated);
  });

  it("loads a subsection the local hart would not send (needed() is not consulted on load)", () => {
    const { bytes } = save(riscvCpuDescription, busyHart());
    const local = createRiscvCpuState({ extensions: "imac" });
    load(riscvCpuDescription, bytes, local);
    expect(local["env.vl"]).toBe(32n);
    expect(local["env.misa_ext"] & Misa.V).toBe(Misa.V);
  });

  it("refuses versions QEMU 7.2 refuses", () => {
    const { bytes } = save(riscvCpuDescription, createRiscvCpuState());
    expect(() => load(riscvCpuDescription, bytes, createRiscvCpuState(), 4)).toThrow(/cpu: incoming version_id 4 is too old/);
    expect(() => load(riscvCpuDescription, bytes, createRiscvCpuState(), 6)).toThrow(/too new/);
    // cpu/hyper at version 1 (QEMU before 7.1) is too old for minimum 2.
    const at = bytes.indexOf(0x05, MAIN_BYTES + 1);
    const hyper = hex(bytes).indexOf(Buffer.from("cpu/hyper").toString("hex")) / 2;
    expect(hyper).toBeGreaterThan(at);
    const old = bytes.slice();
    old[hyper + "cpu/hyper".length + 3] = 1;
    expect(() => load(riscvCpuDescription, old, createRiscvCpuState())).toThrow(/cpu\/hyper: incoming version_id 1 is too old/);
  });

  it("refuses a subsection QEMU 7.2's cpu does not have", () => {
    const { bytes } = save(riscvCpuDescription, createRiscvCpuState({ pmp: false, debug: false, extensions: "imac", privVersion: PrivVersion.V1_10_0 }));
    const extra = Buffer.concat([bytes, Buffer.from(subsectionHeader("cpu/smstateen", 1), "hex")]);
    expect(() => load(riscvCpuDescription, new Uint8Array(extra), createRiscvCpuState())).toThrow(/unknown subsection cpu\/smstateen/);
  });
});

describe("reset", () => {
  it("sets QEMU's reset values", () => {
    const s = createRiscvCpuState({ hartId: 1 });
    expect(s["env.misa_ext"]).toBe(0x1411ad);
    expect(s["env.features"]).toBe(0b10011);
    expect(s["env.pc"]).toBe(0x1000n);
    expect(s["env.priv"]).toBe(3n);
    expect(s["env.mhartid"]).toBe(1n);
    expect(s["env.mstatus"]).toBe(0xa_0000_0000n);
    expect(s["env.vsstatus"]).toBe(0xa_0000_0000n);
    expect(s["env.load_res"]).toBe(0xffff_ffff_ffff_ffffn);
    expect(s["env.miclaim"]).toBe(0x1000n);
    expect(s["env.tdata1"]).toEqual(new BigUint64Array([0x2000_0000_0000_0000n, 0x2000_0000_0000_0000n]));
    expect(s["env.vill"]).toBe(true);
    expect(s["accel.kvm"]).toBe(0);
    expect(createRiscvCpuState({ extensions: "imacv" })["env.vext_ver"]).toBe(0x10000n);
  });

  it("gives the local interrupts the AIA's default priorities", () => {
    expect([47, 40, 11, 3, 7, 9, 1, 5, 12, 10, 2, 6, 39, 32, 0, 4, 8, 13, 24, 63].map(defaultInterruptPriority)).toEqual([
      4, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 37, 255, 255, 255, 255, 255, 255,
    ]);
    const s = createRiscvCpuState();
    expect(s["env.miprio"][11]).toBe(0); // the external interrupt of the own level reads 0
    expect(s["env.siprio"][9]).toBe(0);
    expect(s["env.siprio"][11]).toBe(16);
    expect([...s["env.hviprio"]].flatMap((p, irq) => (p ? [irq] : []))).toEqual([1, 5, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
  });
});
