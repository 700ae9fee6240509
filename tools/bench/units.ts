export const MiB = 1024 * 1024;
export const mib = (bytes: number): number => bytes / MiB;
