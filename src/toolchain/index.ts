export { compilerSdkOf, TenantToolchain } from "./tenant-toolchain.ts";
export type { TenantSdk } from "./tenant-toolchain.ts";
