/**
 * Protobuf encoding of the protocol's messages, built from the precompiled
 * reflection JSON (no .proto parsing at startup). Messages are handled as
 * plain objects with the protocol's snake_case field names.
 */
import { Root, Type } from 'protobufjs/light';
import { PROTOCOL_DEFINITIONS } from './definitions';

export type Message = Record<string, unknown>;

export interface MessageCodec {
  encode(message: Message): Buffer;
  decode(bytes: Buffer): Message;
  /** Generates the encoder and decoder now instead of on first use (protobufjs generates them on the first call). */
  prepare(): void;
}

export class ProtocolMessages {
  private readonly root = Root.fromJSON(PROTOCOL_DEFINITIONS as unknown as Parameters<typeof Root.fromJSON>[0]);
  private readonly codecs = new Map<string, MessageCodec>();

  /** The codec of a message by its full name, e.g. `tfplugin6.ReadResource.Request`. */
  codec(fullName: string): MessageCodec {
    let codec = this.codecs.get(fullName);
    if (!codec) {
      const type: Type = this.root.lookupType(fullName);
      codec = {
        encode: message => Buffer.from(type.encode(message).finish()),
        // Plain objects: int64 as numbers, bytes as Buffers, unset fields absent.
        decode: bytes => type.toObject(type.decode(bytes), { longs: Number, bytes: Buffer }) as Message,
        prepare: () => void type.setup(),
      };
      this.codecs.set(fullName, codec);
    }
    return codec;
  }
}
