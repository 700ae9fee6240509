/**
 * Architecture packages are plugins: the command imports the one an `--arch`
 * (or a stream) needs, and says which package to install when it is missing.
 */
import { type ArchPlugin, type DevicePlugin, type MachineFactory, type RunOptions, VmstateError } from "@vmstate/core";

/** `--arch` values and the package that provides each. */
export const ARCH_PACKAGES: Readonly<Record<string, string>> = {
  riscv64: "@vmstate/riscv",
  aarch64: "@vmstate/arm",
  x86_64: "@vmstate/x86",
  ppc64: "@vmstate/ppc",
};

/** Device plugins' keys (ArchPlugin.interruptController) and the package that provides each. */
export const DEVICE_PACKAGES: Readonly<Record<string, string>> = {
  gicv3: "@vmstate/gicv3-its",
};

export class MissingPluginError extends VmstateError {
  constructor(what: string, pkg: string) {
    super("UNSUPPORTED", `${what} needs the package ${pkg}, which is not installed: pnpm add ${pkg}`);
  }
}

/** The package itself is missing (not a module that an installed package fails to import). */
function isModuleNotFound(e: unknown, pkg: string): boolean {
  return e instanceof Error && (e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && e.message.includes(`'${pkg}'`);
}

export async function loadPlugin(arch: string, importer: (pkg: string) => Promise<unknown> = (p) => import(p)): Promise<ArchPlugin> {
  const pkg = ARCH_PACKAGES[arch];
  if (!pkg) throw new VmstateError("UNSUPPORTED", `unknown --arch ${arch}; known: ${Object.keys(ARCH_PACKAGES).join(", ")}`);
  let mod: unknown;
  try {
    mod = await importer(pkg);
  } catch (e) {
    if (isModuleNotFound(e, pkg)) throw new MissingPluginError(`--arch ${arch}`, pkg);
    throw e;
  }
  const plugin = (mod as { default?: ArchPlugin }).default;
  if (!plugin?.arches?.[arch]) throw new VmstateError("UNSUPPORTED", `${pkg} does not provide --arch ${arch}`);
  return plugin;
}

/** Every installed plugin (for recognising a stream's architecture). */
export async function installedPlugins(importer: (pkg: string) => Promise<unknown> = (p) => import(p)): Promise<ArchPlugin[]> {
  const out: ArchPlugin[] = [];
  for (const pkg of new Set(Object.values(ARCH_PACKAGES))) {
    try {
      const plugin = ((await importer(pkg)) as { default?: ArchPlugin }).default;
      if (plugin) out.push(plugin);
    } catch (e) {
      if (!isModuleNotFound(e, pkg)) throw e;
    }
  }
  return out;
}

/** The device plugin providing interrupt controller `name`, or undefined when its package is not installed. */
export async function loadDevicePlugin(name: string, importer: (pkg: string) => Promise<unknown> = (p) => import(p)): Promise<DevicePlugin | undefined> {
  const pkg = DEVICE_PACKAGES[name];
  if (!pkg) throw new VmstateError("UNSUPPORTED", `no package provides the interrupt controller "${name}"`);
  try {
    const plugin = ((await importer(pkg)) as { default?: DevicePlugin }).default;
    if (!plugin?.interruptControllers?.[name]) throw new VmstateError("UNSUPPORTED", `${pkg} does not provide the interrupt controller "${name}"`);
    return plugin;
  } catch (e) {
    if (isModuleNotFound(e, pkg)) return undefined;
    throw e;
  }
}

export interface ResolvedMachine {
  readonly plugin: ArchPlugin;
  /** Builds the machine, with the interrupt controller the board takes when it is installed. */
  readonly create: MachineFactory;
  /** The device package the board would take but that is not installed (the machine runs reduced). */
  readonly missingDevicePackage: string | undefined;
}

/**
 * The factory for `arch` with the board's interrupt controller composed in.
 * The `features` the machine will be asked for (`--its`) need the controller:
 * without its package they fail with the package to install.
 */
export async function resolveMachine(
  plugin: ArchPlugin,
  arch: string,
  features: readonly string[],
  importer: (pkg: string) => Promise<unknown> = (p) => import(p),
): Promise<ResolvedMachine> {
  const factory = plugin.arches[arch];
  if (!factory) throw new VmstateError("UNSUPPORTED", `${plugin.name} does not provide --arch ${arch}`);
  const name = plugin.interruptController;
  const devices = name ? await loadDevicePlugin(name, importer) : undefined;
  const controller = name ? devices?.interruptControllers[name] : undefined;
  const missing = name && !devices ? DEVICE_PACKAGES[name] : undefined;
  if (missing && features.length) throw new MissingPluginError(features.map((f) => `--${f}`).join(" "), missing);
  const create: MachineFactory = (options: RunOptions) => factory(controller ? { ...options, interruptController: controller } : options);
  return { plugin, create, missingDevicePackage: missing };
}
