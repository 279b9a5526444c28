import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeJournalOpen, writeJournal } from './journal-open.js';
import { loadChains } from '../server/testing.js';
import { testAuthor, testCustomer, testSecretKey } from '../shared/custody/testing.js';
import { CustodyStore } from '../shared/custody/journal.js';

describe("a station's journal at scale (journal-open.ts)", () => {
  it('writes a journal that CustodyStore opens whole, with each chain head in place, and times its open', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'scelle-journal-')), 'custody');
    try {
      const station = testAuthor('station', 'station-bench');
      const customerKey = testCustomer(testSecretKey('k'), 'JRNL').author.publicKey;
      const chains = loadChains(station, customerKey, 'JRNL', 700, 3);
      await writeJournal(dir, chains.flat());
      const r = await timeJournalOpen(dir);
      expect(r.events).toBe(2100);
      expect(r.seconds).toBeGreaterThan(0);
      // A journal as the station's: each drive's head is its chain's last event, and nothing is acknowledged yet.
      const store = await CustodyStore.open(dir);
      try {
        expect(store.head('JRNL-699', 'provider')).toMatchObject({ seq: 2 });
        expect(store.pending()).toHaveLength(2100);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });
});
