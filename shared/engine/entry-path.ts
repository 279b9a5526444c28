/** Names in the index: owned by the format (shared/format/index-codec.ts), re-exported for the engine. */
export { entryLinkBytes, entryPathBytes, entryPathFields } from '../format/index-codec.js';
