import { describe, expect, it } from 'vitest';
import { normalizeTrackingQuery, trackingCandidates } from './tracking.js';

describe('tracking-number lookup forms', () => {
  it('ignores spaces, dashes, case and a pasted label', () => {
    expect(normalizeTrackingQuery('1z 999-aa1 0123456784')).toBe('1Z999AA10123456784');
    expect(normalizeTrackingQuery('Tracking #: 1Z999AA1-0123456784')).toBe('1Z999AA10123456784');
    expect(normalizeTrackingQuery('N° de suivi : ee 123 456 785 ca')).toBe('EE123456785CA');
    expect(normalizeTrackingQuery('  ')).toBe('');
  });
  it('also offers the carrier-normalized form (USPS 420+ZIP routing prefix removed), compact form first', () => {
    const forms = trackingCandidates('420 22153 9101 0268 3733 1000 0395 21');
    expect(forms[0]).toBe('420221539101026837331000039521');
    expect(forms).toContain('9101026837331000039521');
  });
});
