import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { FIXTURES, useCliHarness } from "./cli-harness.test-helper.js";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const AARCH64 = `${FIXTURES}aarch64-virt-gicv3-its-1cpu`;
const RISCV = `${FIXTURES}riscv64-virt-2cpu`;

const cli = useCliHarness("vmstate-cli-");
const run = cli.run;

function plainCopy(name: string): string {
  const p = join(cli.dir, "in.mig");
  writeFileSync(p, gunzipSync(readFileSync(`${name}.mig.gz`)));
  return p;
}

describe("vmstate inspect", () => {
  it("summarises sections, RAM blocks and CPU registers", async () => {
    const { code, out } = await run("inspect", `${RISCV}.mig.gz`);
    expect(code).toBe(0);
    expect(out).toContain("machine type: virt");
    expect(out).toMatch(/FULL\s+\d+\s+cpu\s+1\s+5/);
    expect(out).toMatch(/riscv_virt_board\.ram\s+128 MiB/);
    expect(out).toContain("CPU cpu[0] (cpu v5):");
    expect(out).toContain("CPU cpu[1] (cpu v5):");
    expect(out).toMatch(/env\.pc=0x0000000080[0-9a-f]{6}/);
  });

  it("prints exactly what analyze-migration.py prints, also where the script fails (aarch64)", async () => {
    const { code, out } = await run("inspect", "--analyze", plainCopy(AARCH64));
    expect(code).toBe(0);
    expect(out).toBe(gunzipSync(readFileSync(`${AARCH64}.analyze.json.gz`)).toString());
  });

  it("prints the whole model as JSON", async () => {
    const { code, out } = await run("inspect", "--json", `${AARCH64}.mig.gz`);
    expect(code).toBe(0);
    const model = JSON.parse(out) as { elements: { element: string; idstr?: string; state?: Record<string, unknown> }[]; ram: Record<string, unknown> };
    const cpu = model.elements.find((e) => e.element === "section" && e.idstr === "cpu");
    expect(cpu?.state?.["env.pc"]).toMatch(/^0x00000000402/);
    expect(Object.keys(model.ram)).toContain("mach-virt.ram");
  });
});

describe("vmstate rewrite", () => {
  it.each([
    ["a file", () => plainCopy(RISCV)],
    ["a gzipped file (streamed, no random access)", () => `${AARCH64}.mig.gz`],
  ])("rewrites %s to identical bytes", async (_what, input) => {
    const inPath = input();
    const outPath = join(cli.dir, "out.mig");
    const { code, out } = await run("rewrite", inPath, outPath);
    expect(code).toBe(0);
    expect(out).toMatch(/^rewrote \d+ bytes/);
    const original = inPath.endsWith(".gz") ? gunzipSync(readFileSync(inPath)) : readFileSync(inPath);
    expect(Buffer.compare(readFileSync(outPath), original)).toBe(0);
  });

  it("leaves an existing output untouched, and no temporary file, when the input is bad", async () => {
    const bad = plainCopy(RISCV);
    const bytes = readFileSync(bad);
    writeFileSync(bad, bytes.subarray(0, bytes.length - 5000));
    const outPath = join(cli.dir, "out.mig");
    writeFileSync(outPath, "previous snapshot");
    const { code } = await run("rewrite", bad, outPath);
    expect(code).toBe(1);
    expect(readFileSync(outPath, "utf8")).toBe("previous snapshot");
    expect(readdirSync(cli.dir).sort()).toEqual(["in.mig", "out.mig"]);
    expect(cli.stderr).toMatch(/^error: stream truncated: .*offset 0x[0-9a-f]+\)\n$/);
  });
});

describe("errors", () => {
  it("reports one line and a non-zero exit code", async () => {
    expect((await run("inspect", join(cli.dir, "missing.mig"))).code).toBe(1);
    expect(cli.stderr).toMatch(/^error: cannot open .*missing\.mig/);
    expect(cli.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("names the section, field and offset of a damaged device state", async () => {
    const p = plainCopy(RISCV);
    const bytes = readFileSync(p);
    // Make the cpu section's first subsection header name an unknown subsection.
    const at = bytes.indexOf(Buffer.from("cpu/pmp"));
    bytes[at + 4] = 0x78; // "cpu/xmp"
    writeFileSync(p, bytes);
    const { code } = await run("inspect", p);
    expect(code).toBe(1);
    expect(cli.stderr).toMatch(/^error: cpu: unknown subsection cpu\/xmp \(section cpu\[0\], offset 0x[0-9a-f]+\)\n$/);
  });

  it("prints no stack trace from the installed command", () => {
    execFileSync("node", [CLI, "--version"]);
    const r = spawnSync("node", [CLI, "inspect", join(cli.dir, "nope.mig")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot open /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const usage = spawnSync("node", [CLI, "frobnicate"], { encoding: "utf8" });
    expect(usage.status).toBe(2);
  });
});
