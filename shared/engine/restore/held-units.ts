/**
 * The units of a restore cut while its plan reads the index, kept when they are few enough: the
 * restore then hands them out without reading, parsing and mapping the index a second time (at
 * 50,000 files, ≈ 0.3 s of this thread's CPU while the restore workers need both cores).
 * Creating a folder is a write, which the plan never does: the folders a unit needs are noted
 * with it and created when it is handed out, as the second pass would create them.
 */
import { UnitCutter, type RestoreItem, type RestoreUnit } from './restore-pool.js';

/** Files kept at most (≈ 150 bytes each on the heap, 64 off it); past that, none are kept. */
export const HELD_FILES_MAX = 65_536;

/** A unit and the folders to create before its files are written. */
interface HeldUnit {
  unit: RestoreUnit;
  folders: Buffer[];
}

/**
 * Collects a restore's items in tar order, cut into units exactly as {@link unitsOf} cuts them,
 * with the folders each needs; drops them all once more than `maxFiles` files came.
 */
export class HeldUnits {
  private readonly cutter = new UnitCutter();
  private held: HeldUnit[] | null = [];
  private folders: Buffer[] = [];
  private files = 0;

  constructor(private readonly maxFiles: number = HELD_FILES_MAX) {}

  /** Notes that folder `dir` must exist before the item added next is restored. */
  needsFolder(dir: Buffer): void {
    if (this.held === null) return;
    const last = this.folders.at(-1);
    if (last === undefined || !last.equals(dir)) this.folders.push(dir);
  }

  /** Adds the next item (after the folders it needs). */
  add(item: RestoreItem): void {
    if (this.held === null) return;
    if (!('after' in item) && ++this.files > this.maxFiles) {
      this.held = null;
      this.folders = [];
      return;
    }
    const unit = this.cutter.add(item);
    if (unit) this.close(unit);
  }

  /**
   * The units, in order, each one's folders created by `ensure` as it is handed out (ensure's
   * errors surface there); null when more than `maxFiles` files came. Call once, after the last item.
   */
  units(ensure: (dir: Buffer) => void): Generator<RestoreUnit> | null {
    if (this.held === null) return null;
    const last = this.cutter.finish();
    if (last) this.close(last);
    const held = this.held;
    this.held = null;
    return (function* () {
      for (let h = held.shift(); h !== undefined; h = held.shift()) {
        for (const dir of h.folders) ensure(dir);
        yield h.unit;
      }
    })();
  }

  private close(unit: RestoreUnit): void {
    this.held!.push({ unit, folders: this.folders });
    this.folders = [];
  }
}
