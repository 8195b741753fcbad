import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CLIENT_ORDER_ID_PATTERN, ExecutionInputError, clientOrderIdFor, isValidClientOrderId } from './index';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('clientOrderIdFor', () => {
  it('is the first 16 bytes of SHA-256(signalId NUL legIndex) as a UUIDv8 (version 8, variant 10)', () => {
    const id = clientOrderIdFor('sig-1', 0);
    const hex = createHash('sha256').update('sig-1\u00000').digest('hex');
    expect(id).toMatch(UUID_V8);
    const bare = id.replace(/-/g, '');
    // every nibble but the version nibble (index 12) and the variant's top 2 bits (index 16) comes from the hash
    expect(bare.slice(0, 12)).toBe(hex.slice(0, 12));
    expect(bare.slice(13, 16)).toBe(hex.slice(13, 16));
    expect(bare.slice(17, 32)).toBe(hex.slice(17, 32));
    expect(bare[12]).toBe('8');
    expect(parseInt(bare[16], 16) & 0b1100).toBe(0b1000);
    expect(parseInt(bare[16], 16) & 0b0011).toBe(parseInt(hex[16], 16) & 0b0011);
  });

  it('is deterministic and satisfies the Kalshi client_order_id rule', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(), (s, leg) => {
        const id = clientOrderIdFor(s, leg);
        expect(clientOrderIdFor(s, leg)).toBe(id);
        expect(id).toMatch(UUID_V8);
        expect(id).toHaveLength(36);
        expect(CLIENT_ORDER_ID_PATTERN.test(id)).toBe(true);
        expect(isValidClientOrderId(id)).toBe(true);
      }),
    );
  });

  it('gives different ids to different inputs (including ones that would collide without the separator)', () => {
    const ids = new Set<string>();
    for (let s = 0; s < 200; s++) for (let leg = 0; leg < 5; leg++) ids.add(clientOrderIdFor(`signal-${s}`, leg));
    expect(ids.size).toBe(1000);
    expect(clientOrderIdFor('a1', 2)).not.toBe(clientOrderIdFor('a', 12));
    expect(clientOrderIdFor('a\u00001', 2)).not.toBe(clientOrderIdFor('a', 12));
  });

  it('refuses an empty signalId and a legIndex that is not an integer >= 0, naming the field', () => {
    expect(() => clientOrderIdFor('', 0)).toThrow(ExecutionInputError);
    expect(() => clientOrderIdFor('', 0)).toThrow(/^signalId: got "", expected a non-empty string$/);
    expect(() => clientOrderIdFor(undefined as unknown as string, 0)).toThrow(/signalId: got undefined \(missing\)/);
    expect(() => clientOrderIdFor('s', -1)).toThrow(/^legIndex: got -1, expected an integer >= 0$/);
    expect(() => clientOrderIdFor('s', 1.5)).toThrow(/legIndex: got 1\.5/);
    expect(() => clientOrderIdFor('s', NaN)).toThrow(/legIndex: got NaN/);
    expect(() => clientOrderIdFor('s', '1' as unknown as number)).toThrow(/legIndex: got "1"/);
  });

  it('isValidClientOrderId applies the 64-character [A-Za-z0-9_-] rule', () => {
    expect(isValidClientOrderId('a'.repeat(64))).toBe(true);
    expect(isValidClientOrderId('a'.repeat(65))).toBe(false);
    expect(isValidClientOrderId('')).toBe(false);
    expect(isValidClientOrderId('a b')).toBe(false);
    expect(isValidClientOrderId('a:b')).toBe(false);
    expect(isValidClientOrderId(42)).toBe(false);
  });
});
