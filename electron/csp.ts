/**
 * The renderer's Content Security Policy: only the app's own scripts, styles and images;
 * no inline script, no eval, no remote content, no plugins, no frames. The same policy is in
 * renderer/index.html (a test keeps them equal) and is sent as a header by the app:// handler.
 */

/** The policy as a header value. */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/** The header variant adds what a meta tag cannot carry. */
export const RENDERER_CSP_HEADER = `${RENDERER_CSP}; frame-ancestors 'none'`;
