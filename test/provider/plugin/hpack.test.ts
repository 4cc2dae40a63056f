/**
 * The HPACK decoder of the provider's gRPC server, on the examples of RFC 7541
 * Appendix C (Huffman-coded requests sharing one dynamic table), and refusing
 * what no encoder may send.
 */
import { HpackDecoder, HpackError } from '../../../lib/provider/plugin/hpack';

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

describe('HPACK decoder', () => {
  test('decodes the Huffman-coded requests of RFC 7541 C.4 in order, through the dynamic table', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
    expect(decoder.decode(hex('8286 84be 5886 a8eb 1064 9cbf'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
      ['cache-control', 'no-cache'],
    ]);
    expect(decoder.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/index.html'],
      [':authority', 'www.example.com'],
      ['custom-key', 'custom-value'],
    ]);
  });

  test('decodes the literal forms of RFC 7541 C.2: not indexed and never indexed', () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(hex('040c 2f73 616d 706c 652f 7061 7468'))).toEqual([[':path', '/sample/path']]);
    expect(decoder.decode(hex('1008 7061 7373 776f 7264 0673 6563 7265 74'))).toEqual([['password', 'secret']]);
  });

  test('evicts the oldest entries when a size update shrinks the table', () => {
    const decoder = new HpackDecoder();
    decoder.decode(hex('4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf')); // custom-key: custom-value, index 62
    expect(decoder.decode(hex('be'))).toEqual([['custom-key', 'custom-value']]);
    expect(() => decoder.decode(hex('20 be'))).toThrow(HpackError); // size 0: entry 62 is gone
  });

  test('refuses an index outside the tables, a truncated block, bad Huffman padding and a table larger than allowed', () => {
    expect(() => new HpackDecoder().decode(hex('be'))).toThrow(/no header table entry 62/);
    expect(() => new HpackDecoder().decode(hex('80'))).toThrow(/no header table entry 0/);
    expect(() => new HpackDecoder().decode(hex('040c 2f73'))).toThrow(/ends inside a string/);
    expect(() => new HpackDecoder().decode(hex('0481 00'))).toThrow(/Huffman padding/); // eight zero bits: no code, no EOS prefix
    expect(() => new HpackDecoder().decode(hex('3fe1 1f'))).not.toThrow(); // 4096: the default, allowed
    expect(() => new HpackDecoder().decode(hex('3fe2 1f'))).toThrow(/table size 4097 above the 4096 allowed/);
  });
});
