/**
 * Terraform values (DynamicValue) in msgpack, the encoding Terraform sends and
 * expects. Objects are maps listing every attribute (null included), lists and
 * sets are arrays, and an unknown value ("known after apply") is a msgpack
 * extension: type 0, or type 12 for a refined unknown (with a small map of
 * refinements we do not need). Both decode to the one UNKNOWN marker.
 */
import { Decoder, Encoder, ExtensionCodec } from '@msgpack/msgpack';

/** A value Terraform does not know yet. Compare with `===`. */
export const UNKNOWN: unique symbol = Symbol('unknown');

export type Value = null | string | number | boolean | typeof UNKNOWN | Value[] | { [attribute: string]: Value };
export type ObjectValue = { [attribute: string]: Value };

const EXT_UNKNOWN = 0;
const EXT_REFINED_UNKNOWN = 12;

const extensions = new ExtensionCodec();
extensions.register({
  type: EXT_UNKNOWN,
  encode: value => (value === UNKNOWN ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});
extensions.register({ type: EXT_REFINED_UNKNOWN, encode: () => null, decode: () => UNKNOWN });

// One decoder and one encoder for the process: the functions `decode`/`encode` build new ones (with their key
// caches and buffers) for every value, and a plan converts several values per resource. Both work synchronously,
// so sharing them is safe.
const decoder = new Decoder({ extensionCodec: extensions, useBigInt64: false });
const encoder = new Encoder({ extensionCodec: extensions, ignoreUndefined: false });

export function decodeValue(bytes: Uint8Array | undefined | null): Value {
  if (!bytes || bytes.length === 0) return null;
  return decoder.decode(bytes) as Value;
}

export function encodeValue(value: Value): Buffer {
  const bytes = encoder.encode(value); // a copy, not a view of the encoder's buffer
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function isKnown(value: Value | undefined): boolean {
  if (value === UNKNOWN) return false;
  if (Array.isArray(value)) return value.every(isKnown);
  if (value !== null && typeof value === 'object') return Object.values(value).every(isKnown);
  return true;
}

export function isObject(value: Value | undefined): value is ObjectValue {
  return value !== null && value !== undefined && value !== UNKNOWN && typeof value === 'object' && !Array.isArray(value);
}
