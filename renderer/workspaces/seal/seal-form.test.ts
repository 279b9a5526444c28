import { describe, expect, it } from 'vitest';
import type { DriveSummaryDto } from '../../../shared/ipc/index.js';
import { createSealForm, customerKeyOk, recipientsOf, sealReady } from './seal-form.js';

const drive = (id: string) => ({ id }) as unknown as DriveSummaryDto;
const KEY = `${'A'.repeat(43)}=`;
const jobsOk = { counted: true, driveOk: true, sealing: false };

describe('the sealing form', () => {
  it('keeps each source once, in the order chosen, and removes one', () => {
    const form = createSealForm();
    form.getState().addSources(['/a', '/b']);
    form.getState().addSources(['/b', '/c']);
    expect(form.getState().sources).toEqual(['/a', '/b', '/c']);
    form.getState().removeSource('/b');
    expect(form.getState().sources).toEqual(['/a', '/c']);
  });

  it('keeps the picked drive while it is attached, and forgets it once it is gone', () => {
    const form = createSealForm();
    form.getState().setDrives([drive('d1'), drive('d2')]);
    form.getState().pickDrive('d2');
    form.getState().setDrives([drive('d2')]);
    expect(form.getState().driveId).toBe('d2');
    form.getState().setDrives([drive('d1')]);
    expect(form.getState().driveId).toBeNull();
    form.getState().pickDrive('d9');
    expect(form.getState().driveId).toBeNull();
  });

  it('accepts an empty or well-formed customer key only', () => {
    expect(customerKeyOk({ customerKey: '  ' })).toBe(true);
    expect(customerKeyOk({ customerKey: ` ${KEY} ` })).toBe(true);
    expect(customerKeyOk({ customerKey: 'not-a-key' })).toBe(false);
  });

  it('is ready only with counted sources, a drive that passed its check, a recipient and no seal running', () => {
    const form = { sources: ['/a'], useCode: true, escrow: false, customerKey: '' };
    expect(sealReady(form, jobsOk)).toBe(true);
    expect(sealReady({ ...form, sources: [] }, jobsOk)).toBe(false);
    expect(sealReady(form, { ...jobsOk, counted: false })).toBe(false);
    expect(sealReady(form, { ...jobsOk, driveOk: false })).toBe(false);
    expect(sealReady(form, { ...jobsOk, sealing: true })).toBe(false);
    expect(sealReady({ ...form, useCode: false }, jobsOk)).toBe(false);
    expect(sealReady({ ...form, useCode: false, customerKey: KEY }, jobsOk)).toBe(true);
    expect(sealReady({ ...form, customerKey: 'bad' }, jobsOk)).toBe(false);
  });

  it('sends the recipients chosen, the customer key trimmed as the customer’s own key (customer-attested)', () => {
    expect(recipientsOf({ useCode: true, escrow: true, customerKey: ` ${KEY}\n` })).toEqual({
      unlockCode: true,
      escrow: true,
      customerKeys: [],
      customerPublicKey: KEY,
    });
    expect(recipientsOf({ useCode: true, escrow: false, customerKey: '' })).toEqual({ unlockCode: true, escrow: false, customerKeys: [] });
  });
});
