/**
 * shared/drives: attached-drive discovery (Linux, macOS, Windows) and pre-seal safety checks.
 */
export * from './types.js';
export * from './fs-kind.js';
export * from './linux.js';
export * from './macos.js';
export * from './windows.js';
export * from './plist.js';
export * from './discover.js';
export * from './check.js';
export * from './sealed-folders.js';
