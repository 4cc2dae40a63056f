/**
 * Objects that exist on the server but are not owned by this code
 * (`Scope.fromName`, `Role.fromName`, `ProcurementClient.fromClientId`): only
 * their key is known, they synthesize no resource, and other resources name
 * them with a literal string. Inside an Authorization they count as declared
 * for the REFERENCES rule.
 */
import { Construct } from 'constructs';
import { Authorization, GuardrailEntry, IAuthorizationMember } from './authorization';

type ImportedKind = 'scopes' | 'roles' | 'clients';

export class ImportedObject extends Construct implements IAuthorizationMember {
  constructor(scope: Construct, id: string, private readonly kind: ImportedKind, protected readonly key: string) {
    super(scope, id);
    Authorization.tryOf(this)?.register(this);
  }

  guardrailEntry(): GuardrailEntry {
    const value = this.kind === 'clients' ? { clientId: this.key } : { name: this.key };
    return { kind: this.kind, entry: { path: this.node.path, value, imported: true }, problems: [] } as GuardrailEntry;
  }
}
