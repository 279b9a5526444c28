import { describe, expect, it } from 'vitest';
import { HANDOFF_TYPE, signHandoff, signedHandoffSchema, verifyHandoffSignature } from './handoff.js';
import { testAuthor } from './testing.js';

describe('signed handoffs', () => {
  const a = testAuthor('station', 'station-qc-01');
  const b = testAuthor('station', 'station-qc-02');
  const at = new Date('2025-03-01T12:00:00.000Z');

  it('signs the canonical statement with the holding station key; any change breaks it', () => {
    const h = signHandoff({ driveId: 'D1', fromStation: 'station-qc-01', toStation: 'station-qc-02', at }, a.secretKey);
    expect(h.statement).toEqual({ type: HANDOFF_TYPE, driveId: 'D1', fromStation: 'station-qc-01', toStation: 'station-qc-02', at: '2025-03-01T12:00:00.000Z' });
    expect(h.publicKey).toBe(a.author.publicKey);
    expect(signedHandoffSchema.parse(h)).toEqual(h);
    expect(verifyHandoffSignature(h)).toBe(true);
    expect(verifyHandoffSignature({ ...h, statement: { ...h.statement, toStation: 'station-qc-03' } })).toBe(false);
    expect(verifyHandoffSignature({ ...h, publicKey: b.author.publicKey })).toBe(false);
    expect(verifyHandoffSignature({ ...h, signature: 'A'.repeat(86) + '==' })).toBe(false);
  });

  it('refuses malformed ids with E_USAGE', () => {
    expect(() => signHandoff({ driveId: 'bad id', fromStation: 'a', toStation: 'b', at }, a.secretKey)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => signHandoff({ driveId: 'D1', fromStation: 'a', toStation: 'has space', at }, a.secretKey)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
