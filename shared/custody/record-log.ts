/**
 * A crash-safe, append-only file of JSON records, one per line, each with a checksum:
 *
 *     <16 hex = first 8 bytes of SHA-256 of JSON> SP <RFC 8785 JSON> LF
 *
 * The first record is a header `{"scelle":"record-log/1","kind":<kind>}`. Appends are written
 * in one write and fdatasync'd before they resolve. On open, a torn last record (a crash in the
 * middle of an append: no final LF, or a bad checksum on the last line) is cut off, saved
 * beside the file as `<file>.torn-<ms>`, and reported; a bad record followed by a good one is
 * corruption and an error. Nothing is ever rewritten in place except that truncation.
 */
import { createHash } from 'node:crypto';
import { constants, type FileHandle, open, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import canonicalize from 'canonicalize';
import { ScelleError } from '../errors/scelle-error.js';

/** What opening a log had to repair. */
export interface LogRecovery {
  file: string;
  /** byte offset where the torn record started (the file now ends there) */
  offset: number;
  /** bytes cut off */
  bytes: number;
  /** where the cut bytes were saved, or null if saving failed */
  savedTo: string | null;
}

const LF = 0x0a;
const LINE_RE = /^([0-9a-f]{16}) (.+)$/s;

function checksum(json: string): string {
  return createHash('sha256').update(json, 'utf8').digest('hex').slice(0, 16);
}

/** Frames one record as a line. @throws ScelleError E_CUSTODY_JOURNAL if not JSON-serializable. */
export function frameRecord(record: unknown): Buffer {
  let json: string | undefined;
  try {
    json = canonicalize(record);
  } catch (cause) {
    throw new ScelleError('E_CUSTODY_JOURNAL', 'record is not serializable', {}, { cause });
  }
  if (json === undefined || json.includes('\n')) throw new ScelleError('E_CUSTODY_JOURNAL', 'record is not serializable');
  return Buffer.from(`${checksum(json)} ${json}\n`, 'utf8');
}

/** Parses one line (without LF); null when the checksum or JSON is bad. */
function parseLine(line: Buffer): unknown {
  const m = LINE_RE.exec(line.toString('utf8'));
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  if (checksum(m[2]) !== m[1]) return null;
  try {
    return JSON.parse(m[2]) as unknown;
  } catch {
    return null;
  }
}

/** fsyncs a directory so that a newly created entry survives a crash (best effort on Windows). */
export async function syncDir(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, constants.O_RDONLY);
    await h.sync();
  } catch {
    // Windows cannot open directories for sync; NTFS journals the metadata itself.
  } finally {
    await h?.close();
  }
}

/**
 * One append-only record file. Appends are serialized within the process; the caller
 * (CustodyStore) holds the directory lock against other processes.
 */
export class RecordLog {
  private size: number;
  private broken = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    size: number,
  ) {
    this.size = size;
  }

  /**
   * Opens (creating if needed) the log at `file` whose header says `kind`, recovers a torn
   * tail, and returns the records after the header in order.
   * @throws ScelleError E_CUSTODY_JOURNAL when a record before the last is corrupt, the header
   *   names another kind or version, or the file cannot be read or written.
   */
  static async open(file: string, kind: string): Promise<{ log: RecordLog; records: unknown[]; recovery: LogRecovery | null }> {
    let handle: FileHandle;
    let created = false;
    try {
      handle = await open(file, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, 0o600);
      const st = await handle.stat();
      created = st.size === 0;
    } catch (cause) {
      throw new ScelleError('E_CUSTODY_JOURNAL', 'cannot open journal file', { file }, { cause });
    }
    try {
      if (created) await syncDir(dirname(file));
      const buf = await readFile(file);
      const records: unknown[] = [];
      let offset = 0;
      let recovery: LogRecovery | null = null;
      let lineNo = 0;
      while (offset < buf.length) {
        const nl = buf.indexOf(LF, offset);
        const rec = nl === -1 ? null : parseLine(buf.subarray(offset, nl));
        if (rec === null) {
          if (nl === -1 || nl === buf.length - 1) {
            recovery = await RecordLog.cutTail(file, handle, buf, offset);
            break;
          }
          throw new ScelleError('E_CUSTODY_JOURNAL', `corrupt record ${lineNo + 1} in the middle of the journal`, { file, offset, record: lineNo + 1 });
        }
        records.push(rec);
        offset = nl + 1;
        lineNo++;
      }
      const header = { scelle: 'record-log/1', kind };
      const log = new RecordLog(file, handle, offset);
      if (records.length === 0) {
        await log.append([header]);
        return { log, records: [], recovery };
      }
      const first = records[0] as { scelle?: unknown; kind?: unknown } | null;
      if (typeof first !== 'object' || first === null || first.scelle !== header.scelle || first.kind !== kind) {
        throw new ScelleError('E_CUSTODY_JOURNAL', `not a ${kind} journal (or an unsupported version)`, { file });
      }
      return { log, records: records.slice(1), recovery };
    } catch (e) {
      await handle.close().catch(() => undefined);
      if (e instanceof ScelleError) throw e;
      throw new ScelleError('E_CUSTODY_JOURNAL', 'cannot read journal file', { file }, { cause: e });
    }
  }

  private static async cutTail(file: string, handle: FileHandle, buf: Buffer, offset: number): Promise<LogRecovery> {
    const torn = buf.subarray(offset);
    let savedTo: string | null = `${file}.torn-${Date.now()}`;
    try {
      await writeFile(savedTo, torn, { flag: 'wx', mode: 0o600 });
    } catch {
      savedTo = null;
    }
    await handle.truncate(offset);
    await handle.sync();
    return { file, offset, bytes: torn.length, savedTo };
  }

  /**
   * Appends `records` with one write and one fdatasync; resolves only once they are durable.
   * If the write or sync fails the file is cut back to its previous end so that a later append
   * never follows a torn record; if even that fails the log refuses further appends.
   * @throws ScelleError E_CUSTODY_JOURNAL on any I/O failure or after close.
   */
  append(records: readonly unknown[]): Promise<void> {
    const data = Buffer.concat(records.map(frameRecord));
    const run = async (): Promise<void> => {
      if (this.broken) throw new ScelleError('E_CUSTODY_JOURNAL', 'journal unusable after a failed write; reopen it', { file: this.file });
      const before = this.size;
      try {
        let written = 0;
        while (written < data.length) {
          const r = await this.handle.write(data, written, data.length - written);
          written += r.bytesWritten;
        }
        await this.handle.datasync();
        this.size = before + data.length;
      } catch (cause) {
        try {
          await this.handle.truncate(before);
          await this.handle.datasync();
        } catch {
          this.broken = true;
        }
        throw new ScelleError('E_CUSTODY_JOURNAL', 'journal write failed', { file: this.file }, { cause });
      }
    };
    const p = this.queue.then(run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Waits for pending appends and closes the file. Further appends fail. */
  async close(): Promise<void> {
    await this.queue;
    this.broken = true;
    await this.handle.close();
  }
}
