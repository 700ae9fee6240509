/**
 * What every interpreted board shares: a Machine with its `timer` section,
 * whose cpu_clock_offset is the board's virtual clock (so a restored board
 * resumes at the same time and knows how far it has run), CPUs taking turns
 * in rounds of `quantum` cycles, and the guest's console output.
 */
import { InvalidStateError } from "../errors.js";
import { createTimersState, timersDescription } from "../qemu/timers.js";
import { SystemBus } from "./bus.js";
import type { Machine } from "./machine.js";
import type { CpuReport, RunnableMachine, RunStep } from "./runnable.js";

export interface ClockedBoardOptions {
  /** Cycles each CPU runs per round. */
  readonly quantum: number;
  /** Virtual nanoseconds per cycle (10: a 100 MHz CPU). */
  readonly nsPerCycle: bigint;
}

export abstract class ClockedBoard implements RunnableMachine {
  abstract readonly arch: string;
  readonly bus = new SystemBus();
  readonly quantum: number;
  /** QEMU's `timer` section; cpu_clock_offset carries this board's virtual clock in ns. */
  readonly timers = createTimersState();
  private readonly nsPerCycle: bigint;
  private output = "";
  private retiredTotal = 0;

  /** Registers the `timer` section: QEMU's first. */
  constructor(
    readonly machine: Machine,
    options: ClockedBoardOptions,
  ) {
    this.quantum = options.quantum;
    this.nsPerCycle = options.nsPerCycle;
    machine.registerDevice("timer", timersDescription, this.timers);
  }

  /** Runs one round: every CPU for `quantum` cycles. Returns the instructions retired. */
  protected abstract round(): number;

  /** After a round, once the clock has moved on (timers catch up here). */
  protected afterRound(): void {}

  abstract cpus(): CpuReport[];

  /** The virtual clock, in ns. */
  get clockNs(): bigint {
    return this.timers.cpu_clock_offset;
  }

  /** Cycles per CPU, from the virtual clock. */
  get cycles(): number {
    return Number(this.timers.cpu_clock_offset / this.nsPerCycle);
  }

  get retired(): number {
    return this.retiredTotal;
  }

  get console(): string {
    return this.output;
  }

  /** A byte the guest wrote to its console. */
  protected print(byte: number): void {
    this.output += String.fromCharCode(byte);
  }

  /** Copies `image` into the RAM mapped at `addr`. */
  writeGuestMemory(addr: bigint, image: Uint8Array): void {
    const w = this.bus.ramAt(Number(addr), image.length);
    if (!w) throw new InvalidStateError(`image of ${image.length} bytes does not fit in RAM at 0x${addr.toString(16)}`);
    w.block.write(Number(addr) - w.base, image);
  }

  run(cycles: number): RunStep {
    if (!Number.isInteger(cycles) || cycles < 0) throw new InvalidStateError(`run ${cycles} cycles: not a whole number of cycles`);
    if (cycles % this.quantum) throw new InvalidStateError(`run ${cycles} cycles: not a multiple of the ${this.quantum}-cycle round`);
    if (!this.machine.vm.machine.isRunning()) throw new InvalidStateError(`the machine is ${this.machine.runState}, not running`);
    let executed = 0;
    const step = BigInt(this.quantum) * this.nsPerCycle;
    for (let r = 0; r < cycles / this.quantum; r++) {
      executed += this.round();
      this.timers.cpu_clock_offset += step;
      this.afterRound();
    }
    this.retiredTotal += executed;
    return { executed };
  }
}
