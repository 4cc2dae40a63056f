/**
 * ValidateResourceConfig answered from the process's memo (lib/provider/framework/validation-memo.ts): a reattached
 * provider process is asked about every configuration twice in a plan, and the second answer must be the first one,
 * whatever connection asks, without confusing two types or two configurations.
 */
import { Diagnostic } from '../../lib/provider/framework/diagnostics';
import { ValidationMemo } from '../../lib/provider/framework/validation-memo';
import { DATA_SOURCES } from '../../lib/provider/data-sources';
import { ProviderService } from '../../lib/provider/provider-service';
import { encodeValue, ObjectValue } from '../../lib/provider/protocol/value-codec';
import { RESOURCES } from '../../lib/provider/resources';

const service = (validations: ValidationMemo) => new ProviderService({ resources: RESOURCES, dataSources: DATA_SOURCES, env: {}, cwd: process.cwd(), log: () => undefined, validations });
const request = (type_name: string, config: ObjectValue) => ({ type_name, config: { msgpack: encodeValue(config) } });

const scope = (risk: string): ObjectValue => ({ name: 'catalog.read', description: 'Read the catalog.', risk, external: null, implies: null, id: null });

describe('ValidateResourceConfig through the process memo', () => {
  test('a second connection is answered what the first was, for a valid and an invalid configuration', async () => {
    const validations = new ValidationMemo();
    const [first, second] = [service(validations), service(validations)];
    for (const config of [scope('low'), scope('severe')]) {
      const answer = await first.handlers.ValidateResourceConfig(request('procurement_scope', config));
      expect(await second.handlers.ValidateResourceConfig(request('procurement_scope', config))).toEqual(answer);
      // The same as a service of its own, validating afresh.
      expect(await service(new ValidationMemo()).handlers.ValidateResourceConfig(request('procurement_scope', config))).toEqual(answer);
    }
    const refused = (await second.handlers.ValidateResourceConfig(request('procurement_scope', scope('severe')))) as { diagnostics: { summary: string; detail: string }[] };
    expect(refused.diagnostics).toHaveLength(1);
    expect(refused.diagnostics[0].detail).toMatch(/^risk must be one of .*got 'severe'/);
    expect(await second.handlers.ValidateResourceConfig(request('procurement_scope', scope('high')))).toEqual({ diagnostics: [] });
  });

  test('validates each type and configuration once, and starts again empty past its bound', () => {
    const memo = new ValidationMemo(2);
    let runs = 0;
    const problems: Diagnostic[] = [{ severity: 'error', summary: 'Invalid scope', detail: 'risk is wrong.' }];
    const validate = (answer: Diagnostic[]) => () => {
      runs++;
      return answer;
    };
    const bytes = encodeValue(scope('severe'));
    expect(memo.problemsOf('procurement_scope', bytes, validate(problems))).toBe(problems);
    expect(memo.problemsOf('procurement_scope', Buffer.from(bytes), validate([]))).toBe(problems);
    expect(runs).toBe(1);
    // Another type with the same bytes, or other bytes, is validated on its own.
    expect(memo.problemsOf('procurement_role', bytes, validate([]))).toEqual([]);
    expect(runs).toBe(2);
    expect(memo.problemsOf('procurement_scope', encodeValue(scope('low')), validate([]))).toEqual([]);
    expect(runs).toBe(3);
    // Past the bound of 2 entries the memo started again: the first configuration is validated again.
    expect(memo.problemsOf('procurement_scope', bytes, validate(problems))).toBe(problems);
    expect(runs).toBe(4);
  });
});
