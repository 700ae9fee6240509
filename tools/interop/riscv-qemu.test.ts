/**
 * Our riscv64 streams against real QEMU 7.2, where it is installed (not in CI):
 * QEMU's analyze-migration.py parses them, and qemu-system-riscv64 -incoming
 * loads one and runs the guest on.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ByteSink } from "@vmstate/core";
import { createRiscvVirtMachine } from "@vmstate/riscv";
import { afterAll, describe, expect, it } from "vitest";
import { onPath } from "../fixtures/lib/proc.js";
import { QmpClient } from "../fixtures/lib/qmp.js";

const ANALYZE = fileURLToPath(new URL("../fixtures/out/qemu-src/qemu-7.2+dfsg/scripts/analyze-migration.py", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "vmstate-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function savedStream(options: { qemu: boolean }): Promise<string> {
  const m = createRiscvVirtMachine({ cpus: 2, memBytes: 64 << 20, seed: 4, workload: true });
  m.machine.vm.vmStart();
  m.run(300_000);
  const chunks: Uint8Array[] = [];
  const sink: ByteSink = { write: (c) => void chunks.push(c.slice()) };
  await m.machine.save(sink, { qemuCompatible: options.qemu });
  const file = join(dir, `ours-${options.qemu ? "qemu" : "full"}.mig`);
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

describe.runIf(existsSync(ANALYZE) && onPath("python3"))("QEMU's analyze-migration.py", () => {
  it("parses a stream our machine wrote", async () => {
    const file = await savedStream({ qemu: false });
    const r = spawnSync("python3", [ANALYZE, "-f", file], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
    const cpu = Object.entries(out).find(([k]) => k.startsWith("cpu ("))![1];
    expect((cpu["env.gpr"] as string[]).length).toBe(32);
    expect(Object.keys(out).some((k) => k.startsWith("riscv_sifive_plic"))).toBe(true);
  });
});

describe.runIf(onPath("qemu-system-riscv64"))("QEMU 7.2 -incoming", () => {
  it("accepts a stream our machine wrote, and the guest runs on there", async () => {
    const file = await savedStream({ qemu: true });
    const sock = join(dir, "qmp.sock");
    const qemu = spawn(
      "qemu-system-riscv64",
      ["-M", "virt", "-bios", "none", "-nographic", "-nodefaults", "-serial", `file:${join(dir, "serial.log")}`, "-smp", "2", "-m", "64M", "-qmp", `unix:${sock},server=on,wait=off`, "-incoming", `exec:cat ${file}`],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    qemu.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      const qmp = await QmpClient.connect(sock, 15_000, () => qemu.exitCode === null);
      let status = "";
      for (let i = 0; i < 50 && status !== "completed"; i++) {
        status = String(((await qmp.execute("query-migrate")) as { status?: string }).status);
        if (status !== "completed") await new Promise((r) => setTimeout(r, 100));
      }
      expect(status, stderr).toBe("completed");
      expect(((await qmp.execute("query-status")) as { status: string }).status).toBe("running");
      // s9 counts the workload's iterations: it moves on in QEMU.
      const s9 = async () => BigInt("0x" + /s9\s+([0-9a-f]+)/.exec(String(await qmp.execute("human-monitor-command", { "command-line": "info registers" })))![1]);
      const before = await s9();
      await new Promise((r) => setTimeout(r, 500));
      expect(await s9()).toBeGreaterThan(before);
      await qmp.execute("quit").catch(() => undefined);
      qmp.close();
    } finally {
      qemu.kill("SIGKILL");
    }
  });
});
