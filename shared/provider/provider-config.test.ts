import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../format/station-cert.js';
import { encodeBase64 } from '../format/base64.js';
import { parseProviderConfig, providerEscrow, providerRoots, readProviderConfig } from './provider-config.js';

const root = encodeBase64(generateSigningKeyPair().publicKey);
const valid = { name: 'Nuage Québec', roots: [root], escrowPublicKey: null, custodyUrl: 'https://custody.example.ca', updateUrl: null, updateKeys: [] };
const parse = (doc: unknown) => () => parseProviderConfig(JSON.stringify(doc), 'provider.json');

describe('provider configuration', () => {
  it('reads a provider with its roots as bytes, and null as a development build', () => {
    const config = parseProviderConfig(JSON.stringify(valid), 'p.json');
    expect(config).toEqual(valid);
    expect(providerRoots(config)).toHaveLength(1);
    expect(Buffer.from(providerRoots(config)[0]!).toString('base64')).toBe(root);
    expect(providerEscrow(config)).toBeNull();
    expect(parseProviderConfig('null', 'p.json')).toBeNull();
    expect(providerRoots(null)).toEqual([]);
  });

  it.each([
    ['no root', { ...valid, roots: [] }, 'roots'],
    ['a root that is not a 32-byte key', { ...valid, roots: ['AAAA'] }, 'roots.0'],
    ['the same root twice', { ...valid, roots: [root, root] }, 'twice'],
    ['a plain-http custody address', { ...valid, custodyUrl: 'http://custody.example.ca' }, 'custodyUrl'],
    ['credentials in the update address', { ...valid, updateUrl: 'https://u:p@updates.example.ca' }, 'updateUrl'],
    ['an unknown field (a misspelt key is not silently ignored)', { ...valid, root: [root] }, 'root'],
    ['no name', { ...valid, name: ' ' }, 'name'],
    ['an update feed without an update key', { ...valid, updateUrl: 'https://updates.example.ca' }, 'updateKeys'],
  ])('refuses %s with E_PROVIDER_CONFIG naming the field', (_what, doc, field) => {
    expect(parse(doc)).toThrow(expect.objectContaining({ code: 'E_PROVIDER_CONFIG', message: expect.stringContaining(field) }));
  });

  it('refuses a file that is not JSON, and a missing file, instead of trusting nothing silently', () => {
    expect(() => parseProviderConfig('{', 'p.json')).toThrow(expect.objectContaining({ code: 'E_PROVIDER_CONFIG' }));
    const dir = mkdtempSync(join(tmpdir(), 'provider-'));
    expect(() => readProviderConfig(join(dir, 'absent.json'))).toThrow(
      expect.objectContaining({ code: 'E_PROVIDER_CONFIG', details: expect.objectContaining({ problem: expect.stringContaining('ENOENT') }) }),
    );
    writeFileSync(join(dir, 'p.json'), JSON.stringify(valid));
    expect(readProviderConfig(join(dir, 'p.json'))?.name).toBe('Nuage Québec');
  });
});
