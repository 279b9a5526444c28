import { describe, expect, it } from 'vitest';
import { errorSentence } from './messages.js';

describe('error sentences', () => {
  it('tells how to resume an unfinished member of a set (never to delete it), in French and English', () => {
    for (const lang of ['fr', 'en'] as const) {
      const member = errorSentence(lang, 'E_RESUME_MISMATCH', { reason: 'set-member' });
      expect(member.hint).toContain('--resume --next-drive');
      expect(member.hint).not.toMatch(/Supprimez|Delete/);
      // Any other refused resume keeps its sentence.
      expect(errorSentence(lang, 'E_RESUME_MISMATCH', {}).hint).toMatch(/Supprimez|Delete/);
    }
  });
  it('names a file standing where the drive restores a folder (or a folder where it restores a file), never suggesting --overwrite, in French and English', () => {
    for (const lang of ['fr', 'en'] as const) {
      for (const reason of ['not-a-folder', 'is-a-folder']) {
        const inTheWay = errorSentence(lang, 'E_RESTORE_EXISTS', { count: 1, path: '/dest/data/b', reason });
        expect(inTheWay.message).toContain('/dest/data/b');
        expect(inTheWay.hint).not.toContain('--overwrite');
      }
      // Files that exist keep their sentence, which offers --overwrite.
      expect(errorSentence(lang, 'E_RESTORE_EXISTS', { count: 2, path: '/dest/a.txt' }).hint).toContain('--overwrite');
    }
  });
});
