/**
 * Architecture packages are plugins: the command imports the one an `--arch`
 * (or a stream) needs, and says which package to install when it is missing.
 */
import { type ArchPlugin, VmstateError } from "@vmstate/core";

/** `--arch` values and the package that provides each. */
export const ARCH_PACKAGES: Readonly<Record<string, string>> = {
  riscv64: "@vmstate/riscv",
  aarch64: "@vmstate/arm",
  x86_64: "@vmstate/x86",
  ppc64: "@vmstate/ppc",
};

export class MissingPluginError extends VmstateError {
  constructor(arch: string, pkg: string) {
    super("UNSUPPORTED", `--arch ${arch} needs the package ${pkg}, which is not installed: pnpm add ${pkg}`);
  }
}

function isModuleNotFound(e: unknown): boolean {
  return e instanceof Error && (e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && /@vmstate\//.test(e.message);
}

export async function loadPlugin(arch: string, importer: (pkg: string) => Promise<unknown> = (p) => import(p)): Promise<ArchPlugin> {
  const pkg = ARCH_PACKAGES[arch];
  if (!pkg) throw new VmstateError("UNSUPPORTED", `unknown --arch ${arch}; known: ${Object.keys(ARCH_PACKAGES).join(", ")}`);
  let mod: unknown;
  try {
    mod = await importer(pkg);
  } catch (e) {
    if (isModuleNotFound(e)) throw new MissingPluginError(arch, pkg);
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
      if (!isModuleNotFound(e)) throw e;
    }
  }
  return out;
}
