/**
 * The Terraform address of an L2's resource comes from the object's natural
 * key (`procurement_scope.catalog_read` for scope `catalog.read`), not from the
 * construct path: renaming a construct or moving it in the tree changes
 * nothing Terraform sees, so `review` and apply agree that it is no change.
 * Changing the key itself is a real replace (the key forces replacement), and
 * the old resource's delete can never remove the new object: each object
 * records the resource that manages it (see lib/model/ownership.ts).
 *
 * Addresses of earlier releases came from construct paths: a `moved` block
 * from that address keeps the states they wrote, with no change planned.
 */
import { Annotations, Aspects, TerraformResource, TerraformStack, Token } from '../cdk';

const ADDRESSES = new WeakMap<TerraformStack, Map<string, TerraformResource[]>>();

/** Addresses the resource by `key` (a literal; a token keeps the construct-path address). */
export function addressByKey(resource: TerraformResource, key: string): void {
  if (Token.isUnresolved(key)) return;
  const stack = TerraformStack.of(resource);
  // Asked of the stack, not of the resource: the resource would cache it as its own id.
  const constructPathId = stack.getLogicalId(resource);
  const logicalId = logicalIdOf(key);
  resource.overrideLogicalId(logicalId);
  resource.moveFromId(`${resource.terraformResourceType}.${constructPathId}`);

  const byAddress = ADDRESSES.get(stack) ?? new Map<string, TerraformResource[]>();
  ADDRESSES.set(stack, byAddress);
  const address = `${resource.terraformResourceType}.${logicalId}`;
  const sharing = byAddress.get(address) ?? [];
  byAddress.set(address, [...sharing, resource]);
  // An error annotation rather than a throw or a node validation: synth reports it with every other problem, even
  // where DUPLICATES is suppressed, without cdktf's stack traces or its advice to skip validation.
  Aspects.of(resource).add({
    visit: node => {
      if (node !== resource) return;
      const others = (byAddress.get(address) ?? []).filter(r => r !== resource).map(r => r.node.scope?.node.path ?? r.node.path);
      if (others.length === 0) return;
      Annotations.of(resource).addError(`${address} (key '${key}') is also the address of ${others.join(', ')}: two resources cannot manage one object; keep one`);
    },
  });
}

/** Terraform names are letters, digits, `_` and `-`, starting with a letter or `_`: a key's other characters become `_`. */
export function logicalIdOf(key: string): string {
  const id = key.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}
