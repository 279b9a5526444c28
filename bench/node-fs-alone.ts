// The file system calls of tar, made from Node instead, on one thread: what the per-file work
// costs through Node's fs binding on this machine, beside what it costs tar (bench "tar alone").
// `create SRC`: every entry lstat'ed; every file opened (no link followed), fstat'ed, read, closed
// (tar -c's calls, the archive not written). `extract ARCHIVE DEST`: the archive read in large
// blocks; each file created exclusively, written, its time set and closed; each folder created
// and its time set at the end (tar -x's calls). Prints {"seconds": …} for the work alone (not
// Node's start).
import { closeSync, constants, fstatSync, futimesSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const BLOCK = 512;

/** tar -c's calls on `src` and everything below it, the bytes read and dropped. */
export function create(src: string): void {
  const buf = Buffer.allocUnsafe(8 << 20);
  const visit = (path: string): void => {
    const st = lstatSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (st.isSymbolicLink()) {
      readlinkSync(path);
    } else if (st.isFile()) {
      const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      try {
        const size = fstatSync(fd).size;
        for (let done = 0; done < size;) {
          const got = readSync(fd, buf, 0, Math.min(buf.length, size - done), null);
          if (got === 0) break;
          done += got;
        }
      } finally {
        closeSync(fd);
      }
    }
  };
  visit(src);
}

/** Reads an archive front to back in large blocks, keeping what is not yet consumed. */
class ArchiveReader {
  private buf = Buffer.allocUnsafe(8 << 20);
  private start = 0;
  private end = 0;
  private eof = false;

  constructor(private readonly fd: number) {}

  /** At least `n` bytes (n ≤ half the buffer) from the current position; fewer only at the end. */
  peek(n: number): Buffer {
    if (this.end - this.start < n && !this.eof) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      while (this.end < n && !this.eof) {
        const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
        if (got === 0) this.eof = true;
        this.end += got;
      }
    }
    return this.buf.subarray(this.start, Math.min(this.end, this.start + n));
  }

  /** Moves past `n` bytes (reading them in first when they are not yet in memory). */
  skip(n: number): void {
    for (let left = n; left > 0;) {
      const got = this.peek(Math.min(left, this.buf.length >> 1)).length;
      if (got === 0) throw new Error('archive truncated');
      this.start += got;
      left -= got;
    }
  }
}

/** An octal field (spaces and NULs end it). */
function octal(b: Buffer, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const c = b[i]!;
    if (c === 0x20 && n === 0) continue;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
  }
  return n;
}
const cString = (b: Buffer, from: number, length: number) => {
  const s = b.subarray(from, from + length);
  const nul = s.indexOf(0);
  return s.toString('utf8', 0, nul < 0 ? s.length : nul);
};

/** tar -x's calls: the files and folders of `archive` (a ustar or GNU tar of files and folders) created under `dest`. */
export function extract(archive: string, dest: string): void {
  const reader = new ArchiveReader(openSync(archive, 'r'));
  const folders: { path: string; mtime: number }[] = [];
  const half = 4 << 20;
  let longName: string | null = null;
  for (;;) {
    const h = reader.peek(BLOCK);
    if (h.length < BLOCK || h[0] === 0) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const name = longName ?? [cString(h, 345, 155), cString(h, 0, 100)].filter((s) => s !== '').join('/');
    const mode = octal(h, 100, 8);
    const mtime = octal(h, 136, 12);
    reader.skip(BLOCK);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    longName = null;
    if (type === 'L') {
      longName = cString(reader.peek(padded), 0, size);
      reader.skip(padded);
      continue;
    }
    const target = join(dest, name);
    if (type === '5') {
      mkdirSync(target, { recursive: true, mode: 0o700 });
      folders.push({ path: target, mtime });
    } else if (type === '0' || type === '\0') {
      const fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode & 0o777);
      try {
        for (let left = size; left > 0;) {
          const chunk = reader.peek(Math.min(left, half));
          if (chunk.length === 0) throw new Error('archive truncated');
          for (let at = 0; at < chunk.length;) at += writeSync(fd, chunk, at);
          reader.skip(chunk.length);
          left -= chunk.length;
        }
        futimesSync(fd, mtime, mtime);
      } finally {
        closeSync(fd);
      }
      reader.skip(padded - size);
      continue;
    }
    // Links and other entries: skipped (none in the bench's workloads), with their data.
    reader.skip(padded);
  }
  for (const f of folders.reverse()) utimesSync(f.path, f.mtime, f.mtime);
}

function main(): void {
  const [mode, a, b] = process.argv.slice(2);
  const t = performance.now();
  if (mode === 'create' && a) create(a);
  else if (mode === 'extract' && a && b) extract(a, b);
  else {
    console.error('usage: node-fs-alone.js create SRC | extract ARCHIVE DEST');
    process.exit(2);
  }
  console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000 }));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
