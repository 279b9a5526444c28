import { describe, expect, it } from 'vitest';
import { fromErrorData, ScelleError, toErrorData } from './scelle-error.js';

describe('the plain-data form of ScelleError', () => {
  it('keeps a ScelleError whole, and round-trips', () => {
    const e = new ScelleError('E_FORMAT_PART_SIZE', 'part 3 is short', { file: 'payload/part-00003.scx', size: 5 });
    const d = toErrorData(e);
    expect(d).toEqual({ code: 'E_FORMAT_PART_SIZE', message: 'part 3 is short', details: { file: 'payload/part-00003.scx', size: 5 } });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    const back = fromErrorData(d);
    expect(back).toBeInstanceOf(ScelleError);
    expect(back).toMatchObject({ code: 'E_FORMAT_PART_SIZE', message: 'part 3 is short', details: { size: 5 } });
  });

  it('makes an abort E_CANCELLED, and anything else E_INTERNAL, hiding its text where asked', () => {
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    expect(toErrorData(abort).code).toBe('E_CANCELLED');
    const oops = new Error('secret-looking text');
    expect(toErrorData(oops)).toMatchObject({ code: 'E_INTERNAL', message: 'secret-looking text' });
    expect(toErrorData(oops, { revealUnknown: false })).toEqual({ code: 'E_INTERNAL', message: 'an unexpected error occurred in the engine', details: {} });
    expect(toErrorData('a string')).toMatchObject({ code: 'E_INTERNAL', message: 'a string' });
  });

  it('turns a code this build does not know into E_INTERNAL', () => {
    expect(fromErrorData({ code: 'E_FROM_THE_FUTURE', message: 'x', details: {} }).code).toBe('E_INTERNAL');
  });
});
