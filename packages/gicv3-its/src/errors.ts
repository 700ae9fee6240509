/** Errors of the ITS's table save and restore. */
import { StateLoadError, VmstateError } from "@vmstate/core";

/**
 * The ITS tables in guest RAM: the device table (flat, or its second-level
 * pages), the first level of a two-level device table, a device's
 * interrupt translation table, and the collection table.
 */
export type ItsTable = "device" | "device-l1" | "itt" | "collection";

const TABLE_NAMES: Record<ItsTable, string> = {
  device: "device table",
  "device-l1": "device table (level 1)",
  itt: "ITT",
  collection: "collection table",
};

export interface ItsTableLocation {
  /** Which table. */
  readonly table: ItsTable;
  /**
   * Which entry: the DeviceID for the device table, the level-1 index for
   * its first level, the EventID for an ITT, the position in the packed
   * collection table.
   */
  readonly index: number;
  /** For an ITT: the device it belongs to. */
  readonly deviceId?: number;
  /** Guest-physical address of the entry, when known. */
  readonly addr?: number;
}

function describe(where: ItsTableLocation): string {
  const table = where.table === "itt" ? `ITT of device ${where.deviceId ?? "?"}` : TABLE_NAMES[where.table];
  const at = where.addr !== undefined ? ` at 0x${where.addr.toString(16)}` : "";
  return `ITS ${table}, entry ${where.index}${at}`;
}

/**
 * A table in guest RAM that does not restore (KVM's RESTORE_TABLES failing
 * with EINVAL, EEXIST or EFAULT): a bad field, an out-of-range ID, a
 * duplicate, or an entry or table that is not in RAM. Code BAD_FIELD_VALUE.
 */
export class ItsTableError extends StateLoadError implements ItsTableLocation {
  readonly table: ItsTable;
  readonly index: number;
  readonly deviceId: number | undefined;
  readonly addr: number | undefined;

  constructor(where: ItsTableLocation, problem: string, options?: { cause?: unknown }) {
    super("BAD_FIELD_VALUE", `${describe(where)}: ${problem}`, {}, options);
    this.table = where.table;
    this.index = where.index;
    this.deviceId = where.deviceId;
    this.addr = where.addr;
  }
}

/**
 * The ITS could not write its tables on a stop (KVM's SAVE_TABLES failing):
 * an ID that does not fit its table, a table or entry that is not RAM.
 * Reported, never thrown into the run-state bus. Code IO_ERROR.
 */
export class ItsSaveError extends VmstateError implements ItsTableLocation {
  readonly table: ItsTable;
  readonly index: number;
  readonly deviceId: number | undefined;
  readonly addr: number | undefined;

  constructor(where: ItsTableLocation, problem: string, options?: { cause?: unknown }) {
    super("IO_ERROR", `saving the ${describe(where)}: ${problem}`, {}, options);
    this.table = where.table;
    this.index = where.index;
    this.deviceId = where.deviceId;
    this.addr = where.addr;
  }
}
