/**
 * Size limits of the contract, without zod, so the renderer can import them cheaply.
 */

/** Most entries one `engine.browse` or `engine.search` answer holds. */
export const MAX_PAGE = 1000;
/** Most paths (chosen folders and files) one `engine.open` takes. */
export const MAX_OPEN_PATHS = 10_000;
