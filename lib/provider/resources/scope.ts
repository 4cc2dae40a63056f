/** `procurement_scope`: one OAuth scope, e.g. `payment.approve`. */
import { KEY_ATTRIBUTE, RESOURCE_TYPE, TERRAFORM_SCHEMA } from '../../model/terraform-attributes';
import { NOUN } from '../../model/types';
import { keyedResource } from '../framework/keyed-resource';
import { ResourceModule } from '../framework/resource-module';
import { withId } from '../framework/schema';

const schema = withId(TERRAFORM_SCHEMA.scopes);

export const scopeResource = {
  typeName: RESOURCE_TYPE.scopes,
  kind: 'scopes',
  noun: NOUN.scopes,
  schema,
  keyAttribute: KEY_ATTRIBUTE.scopes,
  schemaVersion: 0,
  ...keyedResource({ kind: 'scopes', schema, keyAttribute: KEY_ATTRIBUTE.scopes }),
} satisfies ResourceModule;
