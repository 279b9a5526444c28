/**
 * The custody log as C2SP tlog-tiles (docs/CUSTODY.md §5.1): the Merkle tree cut into tiles of
 * height 8 (up to 256 hashes each), served at `tile/<L>/<N>[.p/<W>]`, and the log entries in
 * data tiles at `tile/entries/<N>[.p/<W>]`. <N> is written in zero-padded groups of three
 * digits, all but the last prefixed with `x` (1234067 → `x001/x234/067`); `.p/<W>` names a
 * partial tile of W < 256 hashes or entries.
 *
 * A hash tile at level L, index N, holds the hashes of the perfect subtrees of height 8·L at
 * indexes 256·N … 256·N + W − 1, read from `merkle_nodes`. An entry of the custody log is the
 * 32 raw bytes of an event hash (its RFC 9162 leaf hash is SHA-256(0x00 ‖ entry)); a data tile
 * is each entry as a big-endian uint16 length followed by its bytes. Entries hold nothing
 * personal: event hashes only.
 */
import { num, type Tx } from '../db/driver.js';

/** Tile height in levels of the Merkle tree. */
export const TILE_HEIGHT = 8;
/** Hashes (or entries) in a full tile. */
export const TILE_WIDTH = 256;
/** The highest tile level served: 8 · 6 = height 48, enough for any tree of safe-integer size. */
export const MAX_TILE_LEVEL = 6;

/** A parsed tile request. */
export type TileRequest = { kind: 'hash'; level: number; index: number; width: number } | { kind: 'entries'; index: number; width: number };

/** `<N>` of a tile path: groups of three digits, all but the last prefixed with `x`. */
export function encodeTileIndex(n: number): string {
  const digits = String(n);
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = padded.match(/\d{3}/g) ?? ['000'];
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The tile path (below the log prefix) of a request, e.g. `tile/0/x001/234.p/7`. */
export function tilePath(t: TileRequest): string {
  const head = t.kind === 'entries' ? 'tile/entries' : `tile/${t.level}`;
  return `${head}/${encodeTileIndex(t.index)}${t.width < TILE_WIDTH ? `.p/${t.width}` : ''}`;
}

const TILE_RE = /^(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*\d{3})(?:\.p\/([1-9]\d{0,2}))?$/;

/**
 * Parses the part of a tile path after `tile/`; null when it is not a canonical tile path
 * (non-canonical index, level above {@link MAX_TILE_LEVEL}, width outside 1..255). Never throws.
 */
export function parseTilePath(rest: string): TileRequest | null {
  const m = TILE_RE.exec(rest);
  if (!m) return null;
  const index = Number(m[2]?.replace(/[x/]/g, ''));
  if (!Number.isSafeInteger(index) || encodeTileIndex(index) !== m[2]) return null;
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (width < 1 || (m[3] !== undefined && width >= TILE_WIDTH)) return null;
  if (m[1] === 'entries') return { kind: 'entries', index, width };
  const level = Number(m[1]);
  if (level > MAX_TILE_LEVEL) return null;
  return { kind: 'hash', level, index, width };
}

/** True when the tree of `treeSize` leaves holds every hash or entry of tile `t`. */
export function tileAvailable(t: TileRequest, treeSize: number): boolean {
  const level = t.kind === 'entries' ? 0 : t.level;
  const nodes = Math.floor(treeSize / 2 ** (TILE_HEIGHT * level));
  return t.index * TILE_WIDTH + t.width <= nodes;
}

/**
 * The bytes of tile `t` in the tree of `treeSize` leaves, or null when the tree does not hold
 * it (yet). Runs in one transaction so the size and the rows agree.
 * @throws ScelleError E_SERVER_DATABASE on database failure; Error when stored rows are missing.
 */
export async function readTile(tx: Tx, t: TileRequest, treeSize: number): Promise<Uint8Array | null> {
  if (!tileAvailable(t, treeSize)) return null;
  const start = t.index * TILE_WIDTH;
  const end = start + t.width;
  if (t.kind === 'entries') {
    const rows = await tx.query(`SELECT leaf_index, event_hash FROM events WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index`, [start, end]);
    if (rows.length !== t.width) throw new Error(`log entries ${start}..${end - 1} incomplete in the store`);
    const out = Buffer.alloc(t.width * 34);
    rows.forEach((r, i) => {
      if (num(r['leaf_index']) !== start + i) throw new Error(`log entry ${start + i} missing from the store`);
      out.writeUInt16BE(32, i * 34);
      Buffer.from(String(r['event_hash']), 'hex').copy(out, i * 34 + 2);
    });
    return new Uint8Array(out);
  }
  const rows = await tx.query(`SELECT idx, hash FROM merkle_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx`, [TILE_HEIGHT * t.level, start, end]);
  if (rows.length !== t.width) throw new Error(`Merkle nodes of tile ${tilePath(t)} incomplete in the store`);
  return new Uint8Array(Buffer.concat(rows.map((r) => Buffer.from(String(r['hash']), 'hex'))));
}
