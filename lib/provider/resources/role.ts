/** `procurement_role`: a named bundle of scopes (e.g. `buyer`). The role owns its whole scope set. */
import { KEY_ATTRIBUTE, RESOURCE_TYPE, TERRAFORM_SCHEMA } from '../../model/terraform-attributes';
import { NOUN } from '../../model/types';
import { keyedResource } from '../framework/keyed-resource';
import { ResourceModule } from '../framework/resource-module';
import { withId } from '../framework/schema';

const schema = withId(TERRAFORM_SCHEMA.roles);

export const roleResource = {
  typeName: RESOURCE_TYPE.roles,
  kind: 'roles',
  noun: NOUN.roles,
  schema,
  keyAttribute: KEY_ATTRIBUTE.roles,
  schemaVersion: 0,
  ...keyedResource({ kind: 'roles', schema, keyAttribute: KEY_ATTRIBUTE.roles }),
} satisfies ResourceModule;
