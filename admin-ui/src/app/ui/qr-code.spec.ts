import { qrPath } from './qr-code';

describe('qrPath', () => {
  it('draws the three finder patterns of a QR code and grows with the text', () => {
    const short = qrPath('otpauth://totp/ValueVerse:a?secret=AAAA');
    expect(short.size).toBeGreaterThanOrEqual(21);
    // Finder patterns: the outer ring of the top-left, top-right and bottom-left 7×7 squares is dark, the ring inside it light.
    for (const [col, row] of [
      [0, 0],
      [short.size - 7, 0],
      [0, short.size - 7],
    ]) {
      expect(short.path).toContain(`M${col} ${row}h1v1h-1z`);
      expect(short.path).not.toContain(`M${col + 1} ${row + 1}h1v1h-1z`);
      expect(short.path).toContain(`M${col + 2} ${row + 2}h1v1h-1z`);
    }
    const long = qrPath(`otpauth://totp/ValueVerse:someone%40example.com?secret=${'A'.repeat(64)}&issuer=ValueVerse`);
    expect(long.size).toBeGreaterThan(short.size);
  });
});
