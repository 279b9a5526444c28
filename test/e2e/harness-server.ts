/**
 * TEST-ONLY transport: serves the built renderer (dist/renderer) over http on 127.0.0.1 and
 * bridges `window.scelle` to the SAME IPC handlers as Electron's ipcMain, over fetch
 * (POST /__harness/invoke) and server-sent events (GET /__harness/events). A small classic
 * script (/__harness/bridge.js), injected before the app's module script, plays the preload's
 * role. The page keeps the app's CSP: the bridge is same-origin, so 'self' allows it.
 */
import { readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EVENT_CHANNEL_NAMES, INVOKE_CHANNEL_NAMES } from '../../shared/ipc/index.js';
import { resolveAppFile } from '../../electron/app-protocol.js';
import { RENDERER_CSP_HEADER } from '../../electron/csp.js';
import { createHarnessWorld, type HarnessWorld, type HarnessWorldOptions } from './harness-deps.js';

/** Where `vite build -c renderer/vite.config.ts` writes the renderer. */
export const RENDERER_DIST = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

/** A running harness. */
export interface Harness {
  url: string;
  world: HarnessWorld;
  close(): Promise<void>;
}

/** The preload-equivalent script, served as a file so the CSP allows it. */
export function bridgeScript(): string {
  return `(() => {
  const CHANNELS = ${JSON.stringify(INVOKE_CHANNEL_NAMES)};
  const EVENTS = ${JSON.stringify(EVENT_CHANNEL_NAMES)};
  const listeners = new Map(EVENTS.map((e) => [e, new Set()]));
  const stream = new EventSource('/__harness/events');
  stream.onmessage = (m) => { const { channel, payload } = JSON.parse(m.data); const set = listeners.get(channel); if (set) set.forEach((l) => l(payload)); };
  const invoke = (channel, request) => fetch('/__harness/invoke', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel, payload: request === undefined ? {} : request }) })
    .then((r) => r.json(), () => ({ ok: false, error: { code: 'E_INTERNAL', message: 'harness unreachable', details: {} } }));
  const api = {};
  for (const c of CHANNELS) { const [ns, m] = c.split('.'); (api[ns] = api[ns] || {})[m] = (req) => invoke(c, req); }
  api.events = { on(channel, listener) { const set = listeners.get(channel); if (!set) throw new TypeError('unknown event channel ' + channel); set.add(listener); return () => set.delete(listener); } };
  Object.defineProperty(window, 'scelle', { value: Object.freeze(api), writable: false, configurable: false });
})();
`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts a harness with a fresh world; `rendererDir` defaults to dist/renderer. The engine runs
 * in a worker thread as in the app (`engine: 'worker'`, the default here), so the server keeps
 * answering and streaming progress while a job runs.
 */
export async function startHarness(opts: HarnessWorldOptions & { rendererDir?: string } = {}): Promise<Harness> {
  const rendererDir = opts.rendererDir ?? RENDERER_DIST;
  let world: HarnessWorld | null = null;
  const streams = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!world) {
        res.writeHead(503).end();
        return;
      }
      if (req.method === 'POST' && url.pathname === '/__harness/invoke') {
        const { channel, payload } = JSON.parse(await readBody(req)) as { channel: string; payload: unknown };
        const origin = req.headers.origin ?? (req.headers.referer ? new URL(req.headers.referer).origin : 'null');
        const answer = await world.handlers.handle({ channel, senderUrl: `${origin}/`, payload });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      if (url.pathname === '/__harness/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      if (url.pathname === '/__harness/bridge.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bridgeScript());
        return;
      }
      const target = resolveAppFile(rendererDir, `app://scelle${url.pathname}`);
      if (!target) {
        res.writeHead(404).end();
        return;
      }
      try {
        let body: Buffer | string = await readFile(target.file);
        if (target.file.endsWith('index.html')) body = body.toString('utf8').replace('<head>', '<head>\n    <script src="/__harness/bridge.js"></script>');
        res
          .writeHead(200, { 'content-type': target.type, 'content-security-policy': RENDERER_CSP_HEADER, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' })
          .end(body);
      } catch {
        res.writeHead(404).end();
      }
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  world = await createHarnessWorld({ engine: 'worker', ...opts, origin });
  world.listeners.add((channel, payload) => {
    const line = `data: ${JSON.stringify({ channel, payload })}\n\n`;
    for (const s of streams) s.write(line);
  });
  return {
    url: `${origin}/index.html`,
    world,
    close: async () => {
      await new Promise<void>((r) => {
        for (const s of streams) s.end();
        server.closeAllConnections();
        server.close(() => r());
      });
      await world?.engineHost.close();
      await world?.custody.close();
      // The harness's drives, sources and restores can be gigabytes (responsiveness test).
      if (world) await rm(world.root, { recursive: true, force: true });
    },
  };
}
