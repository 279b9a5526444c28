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
});
