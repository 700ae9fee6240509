/**
 * The Linux KVM vgic-its userspace ABI, revision 0: how the device table,
 * the ITTs and the collection table are laid out in guest RAM when the ITS
 * state is saved there (all entries 8 bytes, little-endian). And the ITS
 * command encodings (32 bytes, four little-endian doublewords).
 */

const mask = (bits: number): bigint => (1n << BigInt(bits)) - 1n;
const field = (v: bigint, lo: number, bits: number): number => Number((v >> BigInt(lo)) & mask(bits));

/** KVM's ITS ABI revision (GITS_IIDR.Revision); only 0 exists. */
export const ITS_ABI_REVISION = 0;
/** Every table entry of revision 0 is 8 bytes. */
export const ABI_ENTRY_SIZE = 8;
/** A CTE's RDBase for a collection that exists but is not mapped to a CPU. */
export const COLLECTION_UNMAPPED = 0xffffffff;
/** Largest DeviceID step a DTE's `next` field holds. */
export const DTE_MAX_NEXT = (1 << 14) - 1;
/** Largest EventID step an ITE's `next` field holds. */
export const ITE_MAX_NEXT = (1 << 16) - 1;

// ------------------------------------------------------------------------ DTE

/** Device table entry: V [63], next [62:49], ITT address >> 8 [48:5], EventID bits − 1 [4:0]. */
export interface Dte {
  readonly valid: boolean;
  /** DeviceID distance to the next valid entry; 0 for the last. */
  readonly next: number;
  readonly ittAddr: number;
  /** EventID bits − 1. */
  readonly size: number;
}

export function encodeDte(d: Dte): bigint {
  return (
    (d.valid ? 1n << 63n : 0n) |
    ((BigInt(d.next) & mask(14)) << 49n) |
    (((BigInt(d.ittAddr) >> 8n) & mask(44)) << 5n) |
    (BigInt(d.size) & mask(5))
  );
}

export function decodeDte(v: bigint): Dte {
  return { valid: v >> 63n === 1n, next: field(v, 49, 14), ittAddr: field(v, 5, 44) * 256, size: field(v, 0, 5) };
}

// ------------------------------------------------------------------------ ITE

/** Interrupt translation entry: next [63:48], pINTID [47:16] (0: no entry), ICID [15:0]. */
export interface Ite {
  /** EventID distance to the next valid entry; 0 for the last. */
  readonly next: number;
  readonly intid: number;
  readonly icid: number;
}

export function encodeIte(e: Ite): bigint {
  return ((BigInt(e.next) & mask(16)) << 48n) | ((BigInt(e.intid) & mask(32)) << 16n) | (BigInt(e.icid) & mask(16));
}

export function decodeIte(v: bigint): Ite {
  return { next: field(v, 48, 16), intid: field(v, 16, 32), icid: field(v, 0, 16) };
}

// ------------------------------------------------------------------------ CTE

/**
 * Collection table entry: V [63], RDBase [51:16] (a CPU number, written as
 * a 32-bit value at bit 16; COLLECTION_UNMAPPED for an unmapped
 * collection), ICID [15:0]. The table is a packed list, not indexed by ICID.
 */
export interface Cte {
  readonly valid: boolean;
  readonly rdbase: number;
  readonly icid: number;
}

export function encodeCte(c: Cte): bigint {
  return (c.valid ? 1n << 63n : 0n) | ((BigInt(c.rdbase) & mask(32)) << 16n) | (BigInt(c.icid) & mask(16));
}

export function decodeCte(v: bigint): Cte {
  // The kernel reads the RDBase back as the 32 bits above bit 16.
  return { valid: v >> 63n === 1n, rdbase: field(v, 16, 32), icid: field(v, 0, 16) };
}

// ------------------------------------------------------------------- commands

export const ITS_CMD = Object.freeze({
  MOVI: 0x01,
  INT: 0x03,
  CLEAR: 0x04,
  SYNC: 0x05,
  MAPD: 0x08,
  MAPC: 0x09,
  MAPTI: 0x0a,
  MAPI: 0x0b,
  INV: 0x0c,
  INVALL: 0x0d,
  MOVALL: 0x0e,
  DISCARD: 0x0f,
});
export type ItsCommandName = keyof typeof ITS_CMD;

/** Size of one command in the queue. */
export const ITS_CMD_SIZE = 32;

/** An ITS command, as a guest driver writes it into the command queue. */
export type ItsCommand =
  | { readonly op: "MAPD"; readonly deviceId: number; readonly ittAddr: number; /** EventID bits − 1 */ readonly size: number; readonly valid: boolean }
  | { readonly op: "MAPC"; readonly icid: number; readonly rdbase: number; readonly valid: boolean }
  | { readonly op: "MAPTI"; readonly deviceId: number; readonly eventId: number; readonly intid: number; readonly icid: number }
  | { readonly op: "MAPI" | "MOVI"; readonly deviceId: number; readonly eventId: number; readonly icid: number }
  | { readonly op: "INT" | "CLEAR" | "DISCARD" | "INV"; readonly deviceId: number; readonly eventId: number }
  | { readonly op: "INVALL"; readonly icid: number }
  | { readonly op: "MOVALL"; readonly rdbase1: number; readonly rdbase2: number }
  | { readonly op: "SYNC"; readonly rdbase: number };

/** The four doublewords of a command. */
export function encodeCommandWords(c: ItsCommand): [bigint, bigint, bigint, bigint] {
  const dw: [bigint, bigint, bigint, bigint] = [BigInt(ITS_CMD[c.op]), 0n, 0n, 0n];
  const dev = (id: number) => (dw[0] |= (BigInt(id) & mask(32)) << 32n);
  const ev = (id: number) => (dw[1] |= BigInt(id) & mask(32));
  const icid = (id: number) => (dw[2] |= BigInt(id) & mask(16));
  const rd = (word: 2 | 3, n: number) => (dw[word] |= (BigInt(n) & mask(36)) << 16n);
  switch (c.op) {
    case "MAPD":
      dev(c.deviceId);
      dw[1] |= BigInt(c.size) & mask(5);
      dw[2] |= BigInt(c.ittAddr) & (mask(52) & ~0xffn);
      if (c.valid) dw[2] |= 1n << 63n;
      break;
    case "MAPC":
      icid(c.icid);
      rd(2, c.rdbase);
      if (c.valid) dw[2] |= 1n << 63n;
      break;
    case "MAPTI":
      dev(c.deviceId);
      ev(c.eventId);
      dw[1] |= (BigInt(c.intid) & mask(32)) << 32n;
      icid(c.icid);
      break;
    case "MAPI":
    case "MOVI":
      dev(c.deviceId);
      ev(c.eventId);
      icid(c.icid);
      break;
    case "INT":
    case "CLEAR":
    case "DISCARD":
    case "INV":
      dev(c.deviceId);
      ev(c.eventId);
      break;
    case "INVALL":
      icid(c.icid);
      break;
    case "MOVALL":
      rd(2, c.rdbase1);
      rd(3, c.rdbase2);
      break;
    case "SYNC":
      rd(2, c.rdbase);
      break;
  }
  return dw;
}

/** A command as the 32 bytes of its queue slot. */
export function encodeCommand(c: ItsCommand): Uint8Array {
  const out = new Uint8Array(ITS_CMD_SIZE);
  const view = new DataView(out.buffer);
  encodeCommandWords(c).forEach((w, i) => view.setBigUint64(i * 8, w, true));
  return out;
}
