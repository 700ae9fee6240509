/**
 * @vmstate/gicv3-its: the GICv3 ITS of QEMU 7.2's virt board with its
 * migration state (`arm_gicv3`, `arm_gicv3_its`), an ITS that keeps its
 * translations in the device (as KVM's in-kernel ITS does), a minimal LPI
 * redistributor model, and the stop handler that writes the ITS tables into
 * guest RAM (KVM ABI revision 0) on every VM stop; and a whole GICv3
 * (distributor, redistributors, CPU interfaces) built on them, offered to
 * boards as the default export's "gicv3" interrupt controller.
 */
export {
  GICV3_MAXIRQ,
  GIC_INTERNAL,
  GICV3_BMP_SIZE,
  GICV3_LR_MAX,
  gicv3CpuVirtDescription,
  gicv3CpuSreEl1Description,
  gicv3CpuGicv4Description,
  gicv3CpuDescription,
  gicv3ShiftBugDescription,
  gicv3Description,
  itsDescription,
  createGicv3CpuState,
  createGicv3State,
  createItsState,
  type Gicv3CpuState,
  type Gicv3State,
  type Gicv3StateOptions,
  type ItsState,
} from "./descriptions.js";
export { type GuestMemory, GuestMemoryError, guestMemoryFromRam, readU64, writeU64 } from "./guest-memory.js";
export {
  LPI_INTID_BASE,
  SPURIOUS_INTID,
  GIC_ID_BITS,
  GICR_CTLR_ENABLE_LPIS,
  Gicv3Redistributors,
  type LpiTarget,
  type RedistributorRegisters,
  type RedistributorOptions,
  type PendingSaveReport,
} from "./redistributor.js";
export {
  ITS_ABI_REVISION,
  ABI_ENTRY_SIZE,
  COLLECTION_UNMAPPED,
  DTE_MAX_NEXT,
  ITE_MAX_NEXT,
  ITS_CMD,
  ITS_CMD_SIZE,
  encodeDte,
  decodeDte,
  encodeIte,
  decodeIte,
  encodeCte,
  decodeCte,
  encodeCommand,
  encodeCommandWords,
  type Dte,
  type Ite,
  type Cte,
  type ItsCommand,
  type ItsCommandName,
} from "./abi.js";
export { ItsTableError, ItsSaveError, type ItsTable, type ItsTableLocation } from "./errors.js";
export {
  GicV3Its,
  tableGeometry,
  ITS_CONTROL_SIZE,
  ITS_SIZE,
  GITS_TRANSLATER,
  GITS_CTLR,
  GITS_IIDR,
  GITS_TYPER,
  GITS_CBASER,
  GITS_CWRITER,
  GITS_CREADR,
  GITS_BASER,
  GITS_CTLR_ENABLED,
  GITS_CTLR_QUIESCENT,
  GITS_TYPER_VALUE,
  GITS_IIDR_VALUE,
  ITS_DEVICE_ID_BITS,
  ITS_EVENT_ID_BITS,
  ITS_COLLECTION_ID_BITS,
  BASER_TYPE_DEVICE,
  BASER_TYPE_COLLECTION,
  type ItsOptions,
  type ItsTableGeometry,
  type ItsCommandFailure,
  type ItsMapping,
  type ItsSaveReport,
} from "./its.js";
export {
  attachGicv3Its,
  registerGicv3,
  type Gicv3ItsOptions,
  type AttachedGicv3Its,
  type Gicv3Parts,
  type RegisterGicv3Options,
  type RegisteredGicv3,
} from "./machine.js";
export * from "./gicv3-defs.js";
export { Gicv3, type Gicv3Options, type Gicv3Regions } from "./gicv3.js";
export * from "./distributor.js";
export * from "./redistributor-frames.js";
export { Gicv3CpuInterface, ICC, sysregKey, runningPriority, type CpuInterfaceHost } from "./cpu-interface.js";
export { highestPending, irqGroup, NO_PENDING, type PendingIrq, type PendingSource } from "./pending.js";
export { createGicv3Controller, UnsupportedFeatureError, GICV3_FEATURES, type Gicv3Feature, type Gicv3ControllerOptions } from "./plugin.js";
export { default } from "./plugin.js";
