/**
 * Vitest global setup: prints the runtime the tests run on (Node.js version, its path, OpenSSL
 * and the native-module ABI), so that every test log says which Node line it checked.
 */
export default function runtimeBanner(): void {
  const v = process.versions;
  console.log(`vitest: Node.js ${process.version} (ABI ${v.modules}, OpenSSL ${v.openssl}) at ${process.execPath}`);
}
