/**
 * TLS served by the server itself: the certificate (chain) and key are read
 * once at start-up, and a pair that does not load (unreadable file, not PEM,
 * key not matching the certificate) is refused naming the files.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, ServerConfig } from './defaults';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

export function loadTls(tls: NonNullable<ServerConfig['tls']>): TlsMaterial {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new ConfigError(`invalid server setting tls: cannot read the ${what} file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  };
  const material = { cert: read(tls.certFile, 'certificate'), key: read(tls.keyFile, 'key') };
  try {
    createSecureContext(material);
  } catch (e) {
    throw new ConfigError(
      `invalid server setting tls: the certificate ${tls.certFile} and key ${tls.keyFile} do not load as a PEM pair (${(e as Error).message})`,
    );
  }
  return material;
}
