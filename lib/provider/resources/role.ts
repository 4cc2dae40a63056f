/** `procurement_role`: a named bundle of scopes (e.g. `buyer`). The role owns its whole scope set. */
import { keyedResource } from '../framework/keyed-resource';
import { ResourceModule } from '../framework/resource-module';
import { ID_ATTRIBUTE, ObjectSchema } from '../framework/schema';

const schema: ObjectSchema = {
  description: 'A role: a named set of scopes that role bindings grant to clients.',
  attributes: [
    {
      name: 'name',
      type: 'string',
      required: true,
      forcesReplacement: true,
      description: 'The role\'s name: lower case letters, digits and dashes (e.g. `ap-clerk`). Changing it replaces the role.',
    },
    { name: 'description', type: 'string', required: true, description: 'Who the role is for, in a sentence.' },
    {
      name: 'scopes',
      type: 'set_of_string',
      required: true,
      description: 'The scopes the role grants (names of existing scopes). A set: this role owns the whole list.',
    },
    ID_ATTRIBUTE,
  ],
};

export const roleResource = {
  typeName: 'procurement_role',
  kind: 'roles',
  noun: 'role',
  schema,
  keyAttribute: 'name',
  schemaVersion: 0,
  ...keyedResource({ kind: 'roles', schema, keyAttribute: 'name' }),
} satisfies ResourceModule;
