/**
 * Objects that exist on the server but are not owned by this code
 * (`Scope.fromName`, `Role.fromName`, `ProcurementClient.fromClientId`): only
 * their key is known, they synthesize no resource, and other resources name
 * them with a literal string. Inside an Authorization they count as existing
 * for the REFERENCES rule, and nothing else is judged about them.
 */
import { Construct } from 'constructs';
import { Authorization, AuthorizationEntry, IAuthorizationMember } from './authorization';

type ImportedKind = 'scopes' | 'roles' | 'clients';

export class ImportedObject extends Construct implements IAuthorizationMember {
  constructor(scope: Construct, id: string, private readonly kind: ImportedKind, protected readonly key: string) {
    super(scope, id);
    Authorization.tryOf(this)?.register(this);
  }

  authorizationEntry(): AuthorizationEntry {
    return { reference: { kind: this.kind, key: this.key } };
  }
}
