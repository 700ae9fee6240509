/**
 * Machine benchmarks, reported rather than judged (the issues give no
 * target): the interpreter's speed on the built-in workload, and a save plus
 * restore of a 256 MiB machine.
 */
import { createArmVirtMachine } from "@vmstate/arm";
import type { ByteSink, RunnableMachine } from "@vmstate/core";
import { createGicv3Controller } from "@vmstate/gicv3-its";
import { createRiscvVirtMachine } from "@vmstate/riscv";
import type { Benchmark } from "./harness.js";

const CYCLES = 2_000_000;

/** Instructions per second of a machine made by `create` running its workload for CYCLES cycles. */
function mipsBenchmark(name: string, title: string, note: string, create: () => RunnableMachine): Benchmark {
  return {
    name,
    title,
    async prepare() {
      return {
        subject: {
          label: `${CYCLES} cycles of the workload`,
          rateUnit: "MIPS",
          async once() {
            const m = create();
            m.machine.vm.vmStart();
            const t = performance.now();
            const { executed } = m.run(CYCLES);
            const ms = performance.now() - t;
            return { ms, rate: executed / ms / 1000 };
          },
        },
        comparisons: [],
        notes: [note],
      };
    },
  };
}

export const riscvMipsBenchmark = mipsBenchmark(
  "riscv-mips",
  "RV64GC interpreter on the built-in workload (1 hart, timer interrupts on)",
  "the workload mixes integer work, stores over a RAM window, FP (with rounding modes through soft-float), CSR traffic and ecall/ebreak traps",
  () => createRiscvVirtMachine({ cpus: 1, memBytes: 64 << 20, seed: 1, workload: true }),
);

export const aarch64MipsBenchmark = mipsBenchmark(
  "aarch64-mips",
  "A64 interpreter on the built-in workload (1 CPU, GICv3 with ITS, timer interrupts and LPIs on)",
  "integer, memory, exclusives, FP/SIMD, system registers, SVC/BRK exceptions, EL0 excursions, and ITS commands with LPIs through the GICv3",
  () => createArmVirtMachine({ cpus: 1, memBytes: 128 << 20, seed: 1, workload: true, features: ["its"], interruptController: (r) => createGicv3Controller(r) }),
);

export const riscvSaveRestoreBenchmark: Benchmark = {
  name: "riscv-save-restore",
  title: "save + restore of a 256 MiB riscv64 machine (2 harts) through memory",
  async prepare() {
    const m = createRiscvVirtMachine({ cpus: 2, memBytes: 256 << 20, seed: 1, workload: true });
    m.machine.vm.vmStart();
    m.run(1_000_000);
    // Touch a third of RAM so the stream carries real pages, as a booted guest's would.
    const ram = m.machine.ram.blocks[0]!;
    for (let off = 0; off < ram.length / 3; off += 4096) ram.write(off + 64, Uint8Array.of(off & 0xff, 1, 2, 3));
    let bytes = 0;
    return {
      subject: {
        label: "Machine.save into memory, then Machine.load into a fresh machine",
        async once() {
          const chunks: Uint8Array[] = [];
          const sink: ByteSink = { write: (c) => void chunks.push(c.slice()) };
          const t = performance.now();
          await m.machine.save(sink);
          const image = Buffer.concat(chunks);
          const fresh = createRiscvVirtMachine({ cpus: 2, memBytes: 256 << 20, seed: 1, workload: false });
          await fresh.machine.load(new Uint8Array(image.buffer, image.byteOffset, image.length));
          bytes = image.length;
          return { ms: performance.now() - t };
        },
      },
      comparisons: [],
      notes: [`a third of RAM written; the load checks the stream fits before it applies it (two passes)`],
      get footnotes() {
        return [`stream size: ${(bytes / 2 ** 20).toFixed(1)} MiB`];
      },
    };
  },
};
