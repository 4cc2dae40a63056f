/**
 * The subset of Terraform's plugin protocol 6 (tfplugin6.proto, Terraform
 * 1.11 era, minor version 6.9+) and of go-plugin's controller service that
 * this provider speaks, written as protobufjs reflection JSON so that startup
 * never parses a .proto file. Field names and numbers follow the upstream
 * definitions; messages and fields we never send or read are left out
 * (protobuf skips unknown fields when decoding, so Terraform may send more).
 */
type Field = { type: string; id: number; rule?: 'repeated'; keyType?: string };
type Message = { fields: Record<string, Field>; oneofs?: Record<string, { oneof: string[] }>; nested?: Record<string, Node> };
type Enum = { values: Record<string, number> };
type Node = Message | Enum;

const f = (type: string, id: number): Field => ({ type, id });
const repeated = (type: string, id: number): Field => ({ type, id, rule: 'repeated' });
const map = (type: string, id: number): Field => ({ type, id, keyType: 'string' });
const empty: Message = { fields: {} };

/** A `Request`/`Response` pair, the way tfplugin6 nests them under the RPC's name. */
const rpc = (request: Record<string, Field>, response: Record<string, Field>, nested: Record<string, Node> = {}): Message => ({
  fields: {},
  nested: { Request: { fields: request }, Response: { fields: response }, ...nested },
});

const diagnostics = (id: number) => repeated('Diagnostic', id);

export const PROTOCOL_DEFINITIONS = {
  nested: {
    tfplugin6: {
      nested: {
        DynamicValue: { fields: { msgpack: f('bytes', 1), json: f('bytes', 2) } },
        Diagnostic: {
          fields: { severity: f('Severity', 1), summary: f('string', 2), detail: f('string', 3), attribute: f('AttributePath', 4) },
          nested: { Severity: { values: { INVALID: 0, ERROR: 1, WARNING: 2 } } },
        },
        AttributePath: {
          fields: { steps: repeated('Step', 1) },
          nested: {
            Step: {
              fields: { attribute_name: f('string', 1), element_key_string: f('string', 2), element_key_int: f('int64', 3) },
              oneofs: { selector: { oneof: ['attribute_name', 'element_key_string', 'element_key_int'] } },
            },
          },
        },
        RawState: { fields: { json: f('bytes', 1), flatmap: map('string', 2) } },
        StringKind: { values: { PLAIN: 0, MARKDOWN: 1 } },
        Schema: {
          fields: { version: f('int64', 1), block: f('Block', 2) },
          nested: {
            Block: {
              fields: {
                version: f('int64', 1),
                attributes: repeated('Attribute', 2),
                block_types: repeated('NestedBlock', 3),
                description: f('string', 4),
                description_kind: f('StringKind', 5),
                deprecated: f('bool', 6),
              },
            },
            Attribute: {
              fields: {
                name: f('string', 1),
                type: f('bytes', 2),
                nested_type: f('Object', 10),
                description: f('string', 3),
                required: f('bool', 4),
                optional: f('bool', 5),
                computed: f('bool', 6),
                sensitive: f('bool', 7),
                description_kind: f('StringKind', 8),
                deprecated: f('bool', 9),
              },
            },
            NestedBlock: {
              fields: {
                type_name: f('string', 1),
                block: f('Block', 2),
                nesting: f('NestingMode', 3),
                min_items: f('int64', 4),
                max_items: f('int64', 5),
              },
              nested: { NestingMode: { values: { INVALID: 0, SINGLE: 1, LIST: 2, SET: 3, MAP: 4, GROUP: 5 } } },
            },
            Object: {
              fields: { attributes: repeated('Attribute', 1), nesting: f('NestingMode', 3) },
              nested: { NestingMode: { values: { INVALID: 0, SINGLE: 1, LIST: 2, SET: 3, MAP: 4 } } },
            },
          },
        },
        ServerCapabilities: {
          fields: { plan_destroy: f('bool', 1), get_provider_schema_optional: f('bool', 2), move_resource_state: f('bool', 3) },
        },
        ClientCapabilities: { fields: { deferral_allowed: f('bool', 1), write_only_attributes_allowed: f('bool', 2) } },
        GetMetadata: rpc(
          {},
          {
            server_capabilities: f('ServerCapabilities', 1),
            diagnostics: diagnostics(2),
            data_sources: repeated('TypeName', 3),
            resources: repeated('TypeName', 4),
          },
          { TypeName: { fields: { type_name: f('string', 1) } } },
        ),
        GetProviderSchema: rpc(
          {},
          {
            provider: f('Schema', 1),
            resource_schemas: map('Schema', 2),
            data_source_schemas: map('Schema', 3),
            diagnostics: diagnostics(4),
            server_capabilities: f('ServerCapabilities', 6),
          },
        ),
        ValidateProviderConfig: rpc({ config: f('DynamicValue', 1) }, { diagnostics: diagnostics(2) }),
        UpgradeResourceState: rpc(
          { type_name: f('string', 1), version: f('int64', 2), raw_state: f('RawState', 3) },
          { upgraded_state: f('DynamicValue', 1), diagnostics: diagnostics(2) },
        ),
        ValidateResourceConfig: rpc({ type_name: f('string', 1), config: f('DynamicValue', 2) }, { diagnostics: diagnostics(1) }),
        ValidateDataResourceConfig: rpc({ type_name: f('string', 1), config: f('DynamicValue', 2) }, { diagnostics: diagnostics(1) }),
        ConfigureProvider: rpc({ terraform_version: f('string', 1), config: f('DynamicValue', 2) }, { diagnostics: diagnostics(1) }),
        ReadResource: rpc(
          { type_name: f('string', 1), current_state: f('DynamicValue', 2), private: f('bytes', 3) },
          { new_state: f('DynamicValue', 1), diagnostics: diagnostics(2), private: f('bytes', 3) },
        ),
        PlanResourceChange: rpc(
          {
            type_name: f('string', 1),
            prior_state: f('DynamicValue', 2),
            proposed_new_state: f('DynamicValue', 3),
            config: f('DynamicValue', 4),
            prior_private: f('bytes', 5),
          },
          {
            planned_state: f('DynamicValue', 1),
            requires_replace: repeated('AttributePath', 2),
            planned_private: f('bytes', 3),
            diagnostics: diagnostics(4),
          },
        ),
        ApplyResourceChange: rpc(
          {
            type_name: f('string', 1),
            prior_state: f('DynamicValue', 2),
            planned_state: f('DynamicValue', 3),
            config: f('DynamicValue', 4),
            planned_private: f('bytes', 5),
          },
          { new_state: f('DynamicValue', 1), private: f('bytes', 2), diagnostics: diagnostics(3) },
        ),
        ImportResourceState: rpc(
          { type_name: f('string', 1), id: f('string', 2) },
          { imported_resources: repeated('ImportedResource', 1), diagnostics: diagnostics(2) },
          { ImportedResource: { fields: { type_name: f('string', 1), state: f('DynamicValue', 2), private: f('bytes', 3) } } },
        ),
        ReadDataSource: rpc(
          { type_name: f('string', 1), config: f('DynamicValue', 2) },
          { state: f('DynamicValue', 1), diagnostics: diagnostics(2) },
        ),
        StopProvider: rpc({}, { Error: f('string', 1) }),
      },
    },
    // go-plugin's controller: Terraform calls Shutdown when it is done with the process.
    plugin: { nested: { Empty: empty } },
  },
} as const satisfies { nested: Record<string, { nested: Record<string, Node> }> };

/** The Provider service's RPCs this provider answers (the rest answer UNIMPLEMENTED). */
export const PROVIDER_RPCS = [
  'GetMetadata',
  'GetProviderSchema',
  'ValidateProviderConfig',
  'UpgradeResourceState',
  'ValidateResourceConfig',
  'ValidateDataResourceConfig',
  'ConfigureProvider',
  'ReadResource',
  'PlanResourceChange',
  'ApplyResourceChange',
  'ImportResourceState',
  'ReadDataSource',
  'StopProvider',
] as const;

export type ProviderRpc = (typeof PROVIDER_RPCS)[number];
