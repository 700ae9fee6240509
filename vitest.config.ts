import { defineConfig } from "vitest/config";

// One config, one project per package; tests run on the TypeScript sources
// through the "source" export condition.
export default defineConfig({
  resolve: { conditions: ["source"] },
  test: {
    projects: [
      { extends: true, test: { name: "core", include: ["packages/core/src/**/*.test.ts"] } },
      { extends: true, test: { name: "riscv", include: ["packages/riscv/src/**/*.test.ts"] } },
      { extends: true, test: { name: "arm", include: ["packages/arm/src/**/*.test.ts"] } },
      { extends: true, test: { name: "gicv3-its", include: ["packages/gicv3-its/src/**/*.test.ts"] } },
      { extends: true, test: { name: "machine", include: ["apps/machine/src/**/*.test.ts"], testTimeout: 120_000 } },
      { extends: true, test: { name: "tools", include: ["tools/**/*.test.ts"], exclude: ["tools/**/node_modules/**", "tools/dist/**"], testTimeout: 300_000 } },
    ],
  },
});
