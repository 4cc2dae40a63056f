/** `procurement_scope`: one OAuth scope, e.g. `payment.approve`. */
import { LIMITS } from '../../model/schemas';
import { RISKS } from '../../model/types';
import { keyedResource } from '../framework/keyed-resource';
import { ResourceModule } from '../framework/resource-module';
import { ID_ATTRIBUTE, ObjectSchema } from '../framework/schema';

const schema: ObjectSchema = {
  description: 'An OAuth scope of the authorization server, named `resource.action` (e.g. `catalog.read`).',
  attributes: [
    {
      name: 'name',
      type: 'string',
      required: true,
      forcesReplacement: true,
      description: `The scope's name, \`resource.action\` in lower case (e.g. \`payment.approve\`, at most ${LIMITS.nameMaxLength} characters). Changing it replaces the scope.`,
    },
    { name: 'description', type: 'string', required: true, description: 'What the scope allows, in a sentence.' },
    { name: 'risk', type: 'string', required: true, description: `How much damage the scope can do in the wrong hands: one of ${RISKS.join(', ')}.` },
    {
      name: 'external',
      type: 'bool',
      optional: true,
      computed: true,
      default: false,
      description: 'Whether external (supplier, partner) clients may hold this scope. Default: false.',
    },
    {
      name: 'implies',
      type: 'set_of_string',
      optional: true,
      computed: true,
      default: [],
      description: 'Narrower scopes this scope includes (e.g. `ticket.write` implies `ticket.comment`). A set. Default: none.',
    },
    ID_ATTRIBUTE,
  ],
};

export const scopeResource = {
  typeName: 'procurement_scope',
  kind: 'scopes',
  noun: 'scope',
  schema,
  keyAttribute: 'name',
  schemaVersion: 0,
  ...keyedResource({ kind: 'scopes', schema, keyAttribute: 'name' }),
} satisfies ResourceModule;
