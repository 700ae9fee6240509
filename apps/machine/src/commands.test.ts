import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { FIXTURES, useCliHarness } from "./cli-harness.test-helper.js";
import { loadPlugin, resolveMachine } from "./plugins.js";

const cli = useCliHarness("vmstate-cmd-");
const run = cli.run;

describe("vmstate run", () => {
  it("cuts a riscv64 run with snapshots and ends in the same state as the uninterrupted run", async () => {
    const { code, out } = await run("run", "--arch", "riscv64", "--cpus", "2", "--mem", "32M", "--cycles", "150000", "--seed", "9", "--switches", "3");
    expect(code).toBe(0);
    expect(out).toMatch(/at cycle \d+: snapshot, \d+ bytes, save [\d.]+ ms, restore [\d.]+ ms/g);
    expect(out.match(/snapshot/g)).toHaveLength(3);
    expect(out).toContain("equivalent: the interrupted run ends in the same state as the uninterrupted one");
    expect(out).toMatch(/hart 1: pc=0x/);
  });

  it("migrates live every other time and prints the timeline", async () => {
    const { code, out } = await run("run", "--arch", "riscv64", "--cpus", "1", "--mem", "32M", "--cycles", "80000", "--switches", "2", "--migrate", "--timeline");
    expect(code).toBe(0);
    expect(out).toMatch(/: migration, \d+ bytes/);
    const timeline = out.slice(out.indexOf("timeline ("));
    expect(timeline).toMatch(/\[[\d.]+ ms\] #0  transition running -> save-vm/);
    expect(timeline).toMatch(/\[[\d.]+ ms\] #1  event MIGRATION \{"status":"setup"\}/);
    expect(timeline).toMatch(/transition running -> finish-migrate[\s\S]*transition finish-migrate -> postmigrate/);
    expect(timeline).toMatch(/transition inmigrate -> running/);
  });

  it("runs aarch64 with the GICv3 ITS, migrating live, and shows the ITS's stop handler on the timeline", async () => {
    const { code, out } = await run("run", "--arch", "aarch64", "--cpus", "2", "--mem", "128M", "--cycles", "400000", "--seed", "4", "--switches", "2", "--its", "--migrate", "--timeline");
    expect(code).toBe(0);
    expect(out).toContain("equivalent: the interrupted run ends in the same state as the uninterrupted one");
    expect(out).toMatch(/cpu 1: pc=0x0000000040\w+ EL1h/);
    expect(out).toContain("its LPIs");
    const timeline = out.slice(out.indexOf("timeline ("));
    // On the stop for the snapshot, the ITS writes its tables before the GIC its pending tables (same priority, reverse order).
    expect(timeline).toMatch(/#0  transition running -> save-vm[\s\S]*?notify stop save-vm\n.*handler arm-its-kvm main prio 0\n.*handler kvm-arm-gicv3 main prio 0/);
    expect(timeline).toMatch(/transition running -> finish-migrate[\s\S]*?handler arm-its-kvm/);
  });

  it("says which package to install for an architecture that is missing", async () => {
    const missing = Object.assign(new Error("Cannot find package '@vmstate/arm'"), { code: "ERR_MODULE_NOT_FOUND" });
    await expect(loadPlugin("aarch64", async () => Promise.reject(missing))).rejects.toThrow("--arch aarch64 needs the package @vmstate/arm, which is not installed: pnpm add @vmstate/arm");
    expect((await run("run", "--arch", "sparc64")).code).toBe(1);
    expect(cli.stderr).toMatch(/^error: unknown --arch sparc64; known: riscv64, aarch64, x86_64, ppc64\n$/);
  });

  it("runs the aarch64 board without its interrupt controller when that package is missing, and says what --its needs", async () => {
    const arm = await loadPlugin("aarch64");
    const missing = Object.assign(new Error("Cannot find package '@vmstate/gicv3-its'"), { code: "ERR_MODULE_NOT_FOUND" });
    const importer = async () => Promise.reject(missing);
    await expect(resolveMachine(arm, "aarch64", ["its"], importer)).rejects.toThrow("--its needs the package @vmstate/gicv3-its, which is not installed: pnpm add @vmstate/gicv3-its");
    const reduced = await resolveMachine(arm, "aarch64", [], importer);
    expect(reduced.missingDevicePackage).toBe("@vmstate/gicv3-its");
    const m = reduced.create({ cpus: 1, memBytes: 128 << 20, seed: 1, workload: true });
    m.machine.vm.vmStart();
    m.run(20_000);
    expect(m.machine.saveStates.entries.map((e) => e.idstr)).not.toContain("arm_gicv3");
    expect(m.console).toMatch(/^vmstate aarch64 workload: 1 cpu\(s\)/);
  });
});

describe("vmstate save and load", () => {
  it("loads QEMU's aarch64 snapshot with its GICv3 and ITS, and runs the guest", async () => {
    const file = join(cli.dir, "qemu-arm.mig");
    writeFileSync(file, gunzipSync(readFileSync(`${FIXTURES}aarch64-virt-gicv3-its-1cpu.mig.gz`)));
    const { code, out } = await run("load", file, "--run", "50000");
    expect(code).toBe(0);
    expect(out).toMatch(/into a fresh aarch64 machine \(1 CPU, 128 MiB\)/);
    expect(cli.stderr).toMatch(/^warning: this machine does not model \d+ section\(s\) of the stream, left out: pflash_cfi01\[0\], pflash_cfi01\[1\], pl031\[0\]/);
    expect(cli.stderr).not.toMatch(/arm_gicv3|cpu\[|pl011/);
    expect(out).toMatch(/cpu 0: pc=0x00000000402\w+ EL1h/);
  });

  it("saves after running, atomically, and loads the file into a fresh machine that runs on", async () => {
    const file = join(cli.dir, "snap.mig");
    writeFileSync(file, "an older snapshot");
    const saved = await run("save", "--arch", "riscv64", "--cpus", "2", "--mem", "32M", "--cycles", "60000", file);
    expect(saved.code).toBe(0);
    expect(readFileSync(file).subarray(0, 4).toString("latin1")).toBe("QEVM");
    const loaded = await run("load", file, "--run", "20000");
    expect(loaded.code).toBe(0);
    expect(loaded.out).toMatch(/loaded .* into a fresh riscv64 machine \(2 CPUs, 32 MiB\)/);
    expect(loaded.out).toMatch(/ran 20000 cycles per CPU \(\d+ instructions\)/);
    expect(cli.stderr).toBe("");
  });

  it("loads QEMU's riscv64 snapshot, warns about the devices it does not model, and runs the guest", async () => {
    const file = join(cli.dir, "qemu.mig");
    writeFileSync(file, gunzipSync(readFileSync(`${FIXTURES}riscv64-virt-1cpu.mig.gz`)));
    const { code, out } = await run("load", file, "--run", "50000");
    expect(code).toBe(0);
    expect(cli.stderr).toMatch(/^warning: this machine does not model 7 section\(s\) of the stream, left out: 0000:00:00\.0\/gpex_root\[0\], PCIHost\[0\], PCIBUS\[0\], goldfish_rtc\[0\], pflash_cfi01\[0\], pflash_cfi01\[1\], fw_cfg\[0\]\n$/);
    expect(out).toMatch(/ran 50000 cycles per CPU \(50000 instructions\)/);
    expect(out).toMatch(/hart 0: pc=0x00000000802\w+ S-mode/);
  });
});
