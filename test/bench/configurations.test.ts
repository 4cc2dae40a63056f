/**
 * The benchmark compares like with like only if its derived configurations
 * describe the same estate: these check the transforms on a small stack.
 */
import { asTerraformData, countGrants, countResources, oneBindingPerGrant, synthesizeStack, TerraformJson, withGrantsMoved } from '../../bench/configurations';
import { scaled } from '../../bench/options';
import { smallObjectsSize } from '../../bench/small-objects';

const SIZE = { clients: 12, scopes: 8, roles: 5, grants: 36 };

type Subject = { client_id: string };

function subjectPairs(config: TerraformJson): Set<string> {
  return new Set(
    Object.values(config.resource.procurement_role_binding).flatMap(b => (b.subject as Subject[]).map(s => `${b.role} ${s.client_id}`)),
  );
}

describe('benchmark configurations', () => {
  const { config } = synthesizeStack(SIZE);

  test('our design has one binding per role and every grant as a subject, state kept out of the working tree', () => {
    expect(Object.keys(config.resource.procurement_role_binding)).toHaveLength(SIZE.roles);
    expect(countGrants(config)).toBe(SIZE.grants);
    expect(countResources(config)).toBe(SIZE.clients + SIZE.scopes + SIZE.roles * 2 + 1); // and the Authorization's procurement_policy
    expect(JSON.stringify(config.terraform)).not.toContain('backend');
  });

  test('the naive design has one single-subject binding per grant, the same grants', () => {
    const naive = oneBindingPerGrant(config);
    const bindings = Object.values(naive.resource.procurement_role_binding);
    expect(bindings).toHaveLength(SIZE.grants);
    expect(bindings.every(b => (b.subject as Subject[]).length === 1)).toBe(true);
    expect(new Set(bindings.map(b => b.name)).size).toBe(SIZE.grants);
    expect(subjectPairs(naive)).toEqual(subjectPairs(config));
  });

  test('the floor has as many terraform_data resources, with the same references', () => {
    const floor = asTerraformData(config);
    expect(Object.keys(floor.resource)).toEqual(['terraform_data']);
    expect(countResources(floor)).toBe(countResources(config));
    const text = JSON.stringify(floor);
    expect(text).not.toContain('${procurement_');
    expect(text).toContain('.output.client_id}');
  });

  test('the floor keeps meta-arguments as meta-arguments: the same depends_on edges, pointed at its own resources, not values in its inputs', () => {
    const floor = asTerraformData(config).resource.terraform_data;
    const ours = Object.entries(config.resource).flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => ({ name: `${type}__${name}`, body })));
    for (const { name, body } of ours) {
      const input = floor[name].input as Record<string, unknown>;
      expect(input).not.toHaveProperty('depends_on');
      expect(input).not.toHaveProperty('lifecycle');
      expect(floor[name].lifecycle).toEqual(body.lifecycle);
      expect(floor[name].depends_on).toEqual((body.depends_on as string[] | undefined)?.map(address => `terraform_data.${address.replace('.', '__')}`));
    }
    const edges = Object.values(floor).flatMap(resource => (resource.depends_on as string[] | undefined) ?? []);
    expect(edges).toHaveLength(countResources(config) - 1); // every object waits for the Authorization's policy
    expect(edges.every(address => address.replace('terraform_data.', '') in floor)).toBe(true);
  });

  test('moving a fraction of the grants keeps the count, changes exactly that many (client, role) pairs, leaves the input alone', () => {
    const before = subjectPairs(config);
    const { config: changed, moved } = withGrantsMoved(config, 0.1);
    expect(moved).toBe(4);
    expect(countGrants(changed)).toBe(SIZE.grants);
    expect([...subjectPairs(changed)].filter(pair => !before.has(pair))).toHaveLength(moved);
    expect(subjectPairs(config)).toEqual(before);
  });

  test('scaled sizes keep more roles than each client holds', () => {
    expect(scaled({ clients: 1_000, scopes: 200, roles: 50, grants: 5_000 }, 0.05)).toEqual({ clients: 50, scopes: 10, roles: 6, grants: 250 });
  });

  test('many small objects: N scopes, N/5 roles of 3 scopes, N clients, N/5 bindings of 5 subjects', () => {
    const { config: small } = synthesizeStack(smallObjectsSize(20));
    const resource = small.resource;
    expect(Object.keys(resource.procurement_scope)).toHaveLength(20);
    expect(Object.keys(resource.procurement_client)).toHaveLength(20);
    expect(Object.values(resource.procurement_role).map(r => (r.scopes as string[]).length)).toEqual([3, 3, 3, 3]);
    expect(Object.values(resource.procurement_role_binding).map(b => (b.subject as Subject[]).length)).toEqual([5, 5, 5, 5]);
    // 2.4N objects, and the Authorization's procurement_policy.
    expect(Object.keys(resource.procurement_policy)).toHaveLength(1);
    expect(countResources(small)).toBe(48 + 1);
  });
});
