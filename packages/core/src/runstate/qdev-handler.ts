/**
 * Change-state handlers ordered by a device's place in the bus tree:
 * qdev_add_vm_change_state_handler (hw/core/vm-change-state-handler.c,
 * QEMU 7.2; 8.2's `_full` form adds the prepare callback).
 *
 * The priority is the device's depth: the number of buses between it and the
 * root, counted by following parent bus → that bus's parent device until a
 * device has no parent bus or a bus has no parent device. A device on no bus
 * has depth 0; a sysbus device has depth 1 (main-system-bus has no parent
 * device); a PCI device behind a sysbus host bridge has depth 2. Since lower
 * priorities run first on start and last on stop, a host controller's
 * handler runs before its children's when the VM starts, after them when it
 * stops. Devices of equal depth keep the general rule for equal priorities.
 *
 * (Releases after 10.2 encode the depth as `(depth << 16) + adjustment`; 7.2
 * uses the plain depth, as here.)
 */

import { VmstateError } from "../errors.js";
import type { ChangeStateEntry, ChangeStateHandler, ChangeStateHandlers } from "./change-state.js";

/** The part of a qdev DeviceState the depth walk needs. */
export interface QdevDevice {
  readonly parentBus?: QdevBus | null | undefined;
}

/** The part of a qdev BusState the depth walk needs. */
export interface QdevBus {
  readonly parent?: QdevDevice | null | undefined;
}

/** qdev_get_dev_tree_depth. A cycle (which would hang QEMU) throws. */
export function deviceTreeDepth(device: QdevDevice): number {
  const seen = new Set<QdevDevice>();
  let depth = 0;
  let dev: QdevDevice | null | undefined = device;
  while (dev) {
    if (seen.has(dev)) throw new VmstateError("INVALID_STATE", `device tree has a cycle ${depth} levels above the device`);
    seen.add(dev);
    const bus: QdevBus | null | undefined = dev.parentBus;
    if (!bus) break;
    depth++;
    dev = bus.parent;
  }
  return depth;
}

export interface DeviceChangeStateOptions {
  prepare?: ChangeStateHandler;
  name?: string;
}

/** qdev_add_vm_change_state_handler{,_full}: registers with priority = deviceTreeDepth(device). */
export function addDeviceChangeStateHandler(
  handlers: ChangeStateHandlers,
  device: QdevDevice,
  handler: ChangeStateHandler,
  options: DeviceChangeStateOptions = {},
): ChangeStateEntry {
  return handlers.add(handler, { ...options, priority: deviceTreeDepth(device) });
}
