/**
 * SecretCommand hands a secret to a real `/bin/sh -c` command: what a failed
 * command printed comes back in the error, bounded and with the secret
 * blanked out wherever it appeared.
 */
import { SecretCommand, SecretDeliveryError } from '../../lib/client/secret-command';

const SECRET = 'Zx8_secret-value-43-characters-long-abcdefg';

async function failure(command: string): Promise<SecretDeliveryError> {
  const outcome = await new SecretCommand(command).deliver('erp', SECRET).then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(SecretDeliveryError);
  return outcome as SecretDeliveryError;
}

describe('SecretCommand', () => {
  it('fails with what the command printed, the secret blanked out on stdout and stderr, every time it appears', async () => {
    const error = await failure('read -r line; printf "%s\\n" "$line"; printf "got %s twice: %s\\n" "$line" "$line" >&2; exit 4');
    expect(error.message).toContain('exited 4');
    expect(error.message).toContain('[secret withheld]');
    expect(error.message).toContain('"client_id":"erp"');
    expect(error.message).not.toContain(SECRET);
    expect(error.message.split('[secret withheld]')).toHaveLength(4);
  });

  it('fails naming the command and its exit, with nothing to blank when it printed nothing', async () => {
    const error = await failure('exit 2');
    expect(error.message).toBe('secrets_command `exit 2` exited 2');
  });

  it('resolves when the command reads the secret and exits 0; the command sees the client id and not the admin token', async () => {
    const seen = await new SecretCommand('read -r line; test "$PROCUREMENT_CLIENT_ID" = erp && test -z "$PROCUREMENT_ADMIN_TOKEN" && test "$line" = \'{"client_id":"erp","client_secret":"' + SECRET + '"}\'', {
      env: { ...process.env, PROCUREMENT_ADMIN_TOKEN: 'admin-token-value' },
    })
      .deliver('erp', SECRET)
      .then(() => 'delivered');
    expect(seen).toBe('delivered');
  });
});
