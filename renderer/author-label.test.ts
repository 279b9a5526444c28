import { describe, expect, it } from 'vitest';
import { authorLabel } from './author-label.js';

describe('authorLabel', () => {
  it('names a station, the customer and provider staff readably in both languages', () => {
    expect(authorLabel({ kind: 'station', id: 'MTL-01' }, 'fr-CA')).toBe('Poste MTL-01');
    expect(authorLabel({ kind: 'station', id: 'MTL-01' }, 'en')).toBe('Station MTL-01');
    expect(authorLabel({ kind: 'customer', id: 'customer:3f9a2c' }, 'fr-CA')).toBe('Client');
    expect(authorLabel({ kind: 'customer', id: 'customer:3f9a2c' }, 'en')).toBe('Customer');
    expect(authorLabel({ kind: 'staff', id: 'support-7' }, 'fr-CA')).toBe('Service support-7');
  });

  it('never shows the customer author id, and keeps an unknown kind visible as such', () => {
    expect(authorLabel({ kind: 'customer', id: 'customer:3f9a2c' }, 'en')).not.toContain('3f9a2c');
    expect(authorLabel({ kind: 'robot', id: 'x1' }, 'en')).toBe('Unknown author (robot:x1)');
  });
});
