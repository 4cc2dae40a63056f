/**
 * HPACK (RFC 7541) header decoding, for the provider's gRPC server
 * (unary-grpc-server.ts): the request headers of each call, of which the
 * server reads `:path`. Every header block is decoded in full, in order, since
 * the client's encoder indexes fields into a dynamic table that later blocks
 * refer to. Huffman-coded strings are decoded bit by bit against the code
 * table; the strings a client repeats (method paths, content type, user agent)
 * are decoded once and then found in a small cache.
 */
import { HUFFMAN_CODES, STATIC_TABLE } from './hpack-tables';

export type HeaderField = readonly [name: string, value: string];

/** A header block that cannot be decoded: a connection error (COMPRESSION_ERROR). */
export class HpackError extends Error {}

/** The dynamic table size a peer may use until it says otherwise (SETTINGS_HEADER_TABLE_SIZE, which we never change). */
const DEFAULT_TABLE_SIZE = 4096;
/** The byte after the last symbol is padded with the most significant bits of EOS: all ones, at most 7 of them. */
const MAX_PADDING_BITS = 7;
const CACHED_STRINGS = 256;

/** Symbol by code, keyed by `code * 32 + bit length` (codes are at most 30 bits long: the key stays an exact number). */
const SYMBOL_BY_CODE = new Map<number, number>(HUFFMAN_CODES.map(([length, code], symbol) => [code * 32 + length, symbol]));
const EOS = 256;

export class HpackDecoder {
  /** Newest first, as the dynamic table's indexes count. */
  private readonly dynamic: { name: string; value: string; size: number }[] = [];
  private size = 0;
  private maxSize = DEFAULT_TABLE_SIZE;
  private readonly strings = new Map<string, string>();

  /** The fields of one complete header block, in order. */
  decode(block: Buffer): HeaderField[] {
    const fields: HeaderField[] = [];
    let at = 0;
    const integer = (prefixBits: number): number => {
      if (at >= block.length) throw new HpackError('header block ends inside an integer');
      const mask = (1 << prefixBits) - 1;
      let value = block[at++] & mask;
      if (value < mask) return value;
      for (let shift = 0; ; shift += 7) {
        if (at >= block.length || shift > 28) throw new HpackError('integer too long or truncated');
        const byte = block[at++];
        value += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) return value;
      }
    };
    const string = (): string => {
      if (at >= block.length) throw new HpackError('header block ends before a string');
      const huffman = (block[at] & 0x80) !== 0;
      const length = integer(7);
      if (at + length > block.length) throw new HpackError('header block ends inside a string');
      const raw = block.subarray(at, at + length);
      at += length;
      return huffman ? this.huffman(raw) : raw.toString('utf8');
    };
    while (at < block.length) {
      const first = block[at];
      if (first & 0x80) {
        fields.push(this.entry(integer(7))); // indexed field
      } else if (first & 0x40) {
        const index = integer(6); // literal, added to the dynamic table
        const field: HeaderField = [index === 0 ? string() : this.entry(index)[0], string()];
        this.add(field);
        fields.push(field);
      } else if (first & 0x20) {
        const size = integer(5); // dynamic table size update
        if (size > DEFAULT_TABLE_SIZE) throw new HpackError(`table size ${size} above the ${DEFAULT_TABLE_SIZE} allowed`);
        this.maxSize = size;
        this.evict();
      } else {
        const index = integer(4); // literal, not indexed (or never indexed)
        fields.push([index === 0 ? string() : this.entry(index)[0], string()]);
      }
    }
    return fields;
  }

  private entry(index: number): HeaderField {
    if (index >= 1 && index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1];
    const entry = this.dynamic[index - STATIC_TABLE.length - 1];
    if (!entry) throw new HpackError(`no header table entry ${index}`);
    return [entry.name, entry.value];
  }

  private add([name, value]: HeaderField): void {
    const size = Buffer.byteLength(name) + Buffer.byteLength(value) + 32; // RFC 7541 4.1
    this.dynamic.unshift({ name, value, size });
    this.size += size;
    this.evict(); // an entry larger than the table empties it, itself included
  }

  private evict(): void {
    while (this.size > this.maxSize) this.size -= this.dynamic.pop()!.size;
  }

  private huffman(raw: Buffer): string {
    const key = raw.toString('latin1');
    const known = this.strings.get(key);
    if (known !== undefined) return known;
    const symbols: number[] = [];
    let code = 0;
    let length = 0;
    for (const byte of raw) {
      for (let bit = 7; bit >= 0; bit--) {
        code = code * 2 + ((byte >> bit) & 1);
        length++;
        const symbol = SYMBOL_BY_CODE.get(code * 32 + length);
        if (symbol === undefined) {
          if (length > 30) throw new HpackError('invalid Huffman code');
          continue;
        }
        if (symbol === EOS) throw new HpackError('EOS inside a Huffman-coded string');
        symbols.push(symbol);
        code = 0;
        length = 0;
      }
    }
    if (length > MAX_PADDING_BITS || code !== 2 ** length - 1) throw new HpackError('invalid Huffman padding');
    const text = Buffer.from(symbols).toString('utf8');
    if (this.strings.size >= CACHED_STRINGS) this.strings.clear();
    this.strings.set(key, text);
    return text;
  }
}
