import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consistencyProof, hashLeafData, inclusionProof, rootHash } from '../../shared/custody/merkle.js';
import type { Db } from '../db/driver.js';
import { migrate } from '../db/migrations.js';
import { testEngines } from '../testing.js';
import { appendLeaves, storedConsistencyProof, storedInclusionProof, storedRoot } from './merkle-store.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  suite(`Merkle store on ${engine.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    const leaves = Array.from({ length: 300 }, (_, i) => hashLeafData(Buffer.from(`leaf ${i}`)));
    beforeAll(async () => {
      ({ db, drop } = await engine.open());
      await migrate(db);
    });
    afterAll(async () => {
      await drop?.();
    });

    it('appends in uneven batches and gives the same roots as the in-memory tree after each', async () => {
      let size = 0;
      for (const batch of [1, 1, 2, 5, 8, 13, 21, 34, 55, 60, 100]) {
        const root = await db.transaction((tx) => appendLeaves(tx, size, leaves.slice(size, size + batch)));
        size += batch;
        expect(hex(root)).toBe(hex(rootHash(leaves.slice(0, size))));
      }
      expect(size).toBe(300);
      // about 2n stored nodes: n leaves + n − popcount(n) interior nodes
      const n = Number((await db.query('SELECT COUNT(*) AS n FROM merkle_nodes'))[0]?.['n']);
      expect(n).toBe(300 + 300 - 4);
    });

    it('serves roots and proofs for any past size identical to the in-memory ones', async () => {
      for (const s of [1, 2, 3, 7, 64, 65, 127, 200, 300]) {
        expect(hex(await storedRoot(db, s))).toBe(hex(rootHash(leaves.slice(0, s))));
        for (const i of [0, Math.floor(s / 2), s - 1]) {
          expect((await storedInclusionProof(db, i, s)).map(hex)).toEqual(inclusionProof(leaves, i, s).map(hex));
        }
        for (const s1 of [1, Math.floor(s / 3) || 1, s]) {
          expect((await storedConsistencyProof(db, s1, s)).map(hex)).toEqual(consistencyProof(leaves, s1, s).map(hex));
        }
      }
    });

    it('fails loudly when asked beyond the stored tree', async () => {
      await expect(storedRoot(db, 301)).rejects.toThrow(/missing/);
    });
  });
}
