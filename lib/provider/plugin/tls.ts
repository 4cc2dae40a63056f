/**
 * The plugin's TLS identity for go-plugin's AutoMTLS: a fresh self-signed EC
 * P-256 certificate per process, with SAN DNS `localhost` (Terraform checks the
 * name; a CN alone fails). node:crypto makes keys and signatures but not
 * certificates, so the certificate's DER is written here: a dozen lines of
 * ASN.1 instead of a library whose `require` alone costs ~110 ms per spawn.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface PluginIdentity {
  /** PEM, for the gRPC server. */
  certificatePem: string;
  privateKeyPem: string;
  /** DER, base64 without padding: the last field of the handshake line. */
  certificateHandshake: string;
}

export function createPluginIdentity(now = new Date()): PluginIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const name = seq(set(seq(oid(OID.commonName), utf8('localhost'))));
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))), // X.509 v3
    int(serialNumber()),
    seq(oid(OID.ecdsaWithSha256)),
    name,
    seq(utcTime(new Date(now.getTime() - 60_000)), utcTime(new Date(now.getTime() + 24 * 3600_000))),
    name,
    spki,
    explicit(
      3,
      seq(
        extension(OID.subjectAltName, seq(tagged(0x82, Buffer.from('localhost')))),
        // Like go-plugin's own certificates: a self-signed CA that may sign and authenticate either side.
        extension(OID.basicConstraints, seq(bool(true)), true),
        extension(OID.keyUsage, bitString(Buffer.from([0x84]), 2), true), // digitalSignature, keyCertSign
        extension(OID.extKeyUsage, seq(oid(OID.serverAuth), oid(OID.clientAuth))),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey); // ECDSA signatures come out DER-encoded
  const der = seq(tbs, seq(oid(OID.ecdsaWithSha256)), bitString(signature));
  return {
    certificatePem: `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`.replace('\n\n', '\n'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificateHandshake: der.toString('base64').replace(/=+$/, ''),
  };
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

// --- a minimal DER writer: tag, length, content ---

function tagged(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const seq = (...items: Buffer[]) => tagged(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tagged(0x31, Buffer.concat(items));
const explicit = (n: number, content: Buffer) => tagged(0xa0 + n, content);
const utf8 = (text: string) => tagged(0x0c, Buffer.from(text, 'utf8'));
const bool = (value: boolean) => tagged(0x01, Buffer.from([value ? 0xff : 0]));
const bitString = (bytes: Buffer, unusedBits = 0) => tagged(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));

function int(bytes: Buffer): Buffer {
  // DER integers are signed: a leading 1 bit needs a zero byte in front.
  return tagged(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01; // positive, and no leading zero byte
  return bytes;
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tagged(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-01-31T12:34:56.789Z → 260131123456Z
  return tagged(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`));
}

function extension(id: string, value: Buffer, critical = false): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), tagged(0x04, value));
}
