/**
 * What the members of a sealed set hold, counted from the index lines of a set seal: the files
 * (and their bytes) among the lines, and per member the files whose content lies on it, wholly or
 * in part — the files a reader names as needing that member (set-drives.ts absentMembersFor), so a
 * lost member's custody incident names the same count a restore would. Counts and bytes only.
 */
import { parseIndexEntryLine } from '../../format/index-codec.js';
import { membersHolding, type MemberRange } from '../../format/set.js';

/** Files and their content bytes. */
export interface FileCount {
  files: number;
  bytes: number;
}

/** A running count over index lines given in order (see module doc). */
export class MemberHoldings {
  /** Every file among the lines counted. */
  readonly all: FileCount = { files: 0, bytes: 0 };
  private readonly held: FileCount[];

  constructor(private readonly ranges: readonly MemberRange[]) {
    this.held = ranges.map(() => ({ files: 0, bytes: 0 }));
  }

  /**
   * Counts the encoded entry lines `lines` (UTF-8, each ending in "\n").
   * @throws ScelleError E_FORMAT_INDEX when a line is not an entry (the seal's own lines always are).
   */
  add(lines: Uint8Array): void {
    const text = Buffer.from(lines.buffer, lines.byteOffset, lines.length).toString('utf8');
    for (let from = 0, nl = text.indexOf('\n'); nl >= 0; from = nl + 1, nl = text.indexOf('\n', from)) {
      const e = parseIndexEntryLine(text.slice(from, nl));
      if (e.type !== 'file') continue;
      this.all.files++;
      this.all.bytes += e.size;
      for (const position of membersHolding(this.ranges, e.offset, e.size)) {
        const c = this.held[position - 1]!;
        c.files++;
        c.bytes += e.size;
      }
    }
  }

  /** What member `position` (1-based) holds among the lines counted. */
  of(position: number): FileCount {
    return { ...this.held[position - 1]! };
  }
}
