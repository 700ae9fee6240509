/** Test access to the committed QEMU 7.2 fixture streams (fixtures/qemu-7.2, gzipped). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

export const FIXTURE_DIR = fileURLToPath(new URL("../../../fixtures/qemu-7.2/", import.meta.url));

/** Names (without extension) of every committed stream. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith(".mig.gz"))
    .map((f) => f.slice(0, -".mig.gz".length))
    .sort();
}

const cache = new Map<string, Uint8Array>();

export function loadFixture(name: string): Uint8Array {
  let b = cache.get(name);
  if (!b) {
    b = new Uint8Array(gunzipSync(readFileSync(`${FIXTURE_DIR}${name}.mig.gz`)));
    cache.set(name, b);
  }
  return b;
}

/** analyze-migration.py's output for a fixture, when the script could parse it. */
export function loadAnalyze(name: string): string | undefined {
  const p = `${FIXTURE_DIR}${name}.analyze.json.gz`;
  return existsSync(p) ? gunzipSync(readFileSync(p)).toString("utf8") : undefined;
}

/** The vmdesc trailer QEMU wrote, as extracted by the fixture generator. */
export function loadVmdescText(name: string): string {
  return readFileSync(`${FIXTURE_DIR}${name}.vmdesc.json`, "utf8").trimEnd();
}
