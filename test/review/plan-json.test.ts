import { parsePlan } from '../../lib/review/plan-json';
import { UsageError } from '../../lib/model/errors';

describe('parsePlan', () => {
  test('fails when the input is not JSON', () => {
    expect(() => parsePlan('Terraform will perform the following actions', 'plan.txt')).toThrow(UsageError);
    expect(() => parsePlan('nope', 'plan.txt')).toThrow(/plan\.txt is not JSON .*terraform show -json/);
  });

  test('fails when the JSON is not a plan', () => {
    expect(() => parsePlan('{"resources": []}', 'x.json')).toThrow(/x\.json is not a Terraform JSON plan/);
    expect(() => parsePlan('[]', 'x.json')).toThrow(/not a Terraform JSON plan/);
  });

  test('fails when given state instead of a plan', () => {
    expect(() => parsePlan('{"format_version":"1.0","values":{"root_module":{}}}', 'state.json')).toThrow(/looks like Terraform state, not a plan/);
  });

  test('fails when a resource change is malformed, naming where', () => {
    const text = JSON.stringify({ format_version: '1.2', resource_changes: [{ address: 'a.b', type: 'a', change: {} }] });
    expect(() => parsePlan(text, 'p.json')).toThrow(/p\.json: resource_changes\[0\] is not a resource change/);
  });

  test('fails when the plan timestamp cannot be compared, instead of judging expiries at NaN', () => {
    const text = JSON.stringify({ format_version: '1.2', resource_changes: [], timestamp: '2025-06-30T23:59:60Z' });
    expect(() => parsePlan(text, 'p.json')).toThrow(
      "p.json: timestamp second 60 (a leap second) cannot be compared with a clock: use :59, got '2025-06-30T23:59:60Z'; pass the plan as 'terraform show -json' writes it",
    );
  });

  test('fails when the format has an unknown major version', () => {
    expect(() => parsePlan('{"format_version":"2.0","resource_changes":[]}', 'p.json')).toThrow(/format 2\.0/);
  });
});
