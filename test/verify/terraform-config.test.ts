import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectiveScopes } from '../../lib/model/effective-scopes';
import { loadDeclaredModel, locateConfig } from '../../lib/verify/terraform-config';

const FIXTURE = join(__dirname, 'fixtures', 'cdk.tf.json');
const NOW = new Date('2025-06-01T00:00:00Z');

describe('the model declared by synthesized Terraform JSON', () => {
  test('references between resources resolve, including id (the key) and a subject block written as one object', () => {
    const { model } = loadDeclaredModel(FIXTURE);
    expect(model.roles.find(r => r.name === 'buyer')?.scopes).toEqual(['catalog.read', 'po.create']);
    expect(model.roleBindings.find(b => b.name === 'approver-grants')?.subjects.map(s => s.clientId)).toEqual(['approval-bot', 'erp-sync']);
    expect(effectiveScopes('erp-sync', model, NOW)).toEqual(['catalog.read', 'po.create']);
    expect(effectiveScopes('approval-bot', model, NOW)).toEqual(['po.approve']);
    expect(effectiveScopes('helpdesk', model, NOW)).toEqual(['ticket.comment', 'ticket.write']);
  });

  describe('with a scratch dir', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'verify-config-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, json: unknown) => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(json));
      return file;
    };

    test('fails when a reference names a resource that is not in the file', () => {
      const file = write('x.tf.json', { resource: { procurement_role: { r: { name: 'r', description: 'd', scopes: ['${procurement_scope.gone.name}'] } } } });
      expect(() => loadDeclaredModel(file)).toThrow(/procurement_role\.r\.scopes\[0\] refers to procurement_scope\.gone, which is not a procurement resource in this file/);
    });

    test('fails when a value is known only after apply', () => {
      const file = write('x.tf.json', { resource: { procurement_role: { r: { name: '${var.role_name}', description: 'd', scopes: [] } } } });
      expect(() => loadDeclaredModel(file)).toThrow(/procurement_role\.r\.name is '\$\{var\.role_name\}', which is known only after apply/);
    });

    test('fails when the file is not Terraform JSON', () => {
      expect(() => loadDeclaredModel(write('x.json', { hello: 1 }))).toThrow(/has no "resource" block/);
      writeFileSync(join(dir, 'bad.json'), '{');
      expect(() => loadDeclaredModel(join(dir, 'bad.json'))).toThrow(/cannot read Terraform JSON/);
    });

    test('finds the one stack under the synth dir, and asks for --stack when there are several', () => {
      mkdirSync(join(dir, 'stacks', 'dev'), { recursive: true });
      writeFileSync(join(dir, 'stacks', 'dev', 'cdk.tf.json'), '{}');
      expect(locateConfig({ synthDir: dir })).toBe(join(dir, 'stacks', 'dev', 'cdk.tf.json'));
      mkdirSync(join(dir, 'stacks', 'prod'), { recursive: true });
      writeFileSync(join(dir, 'stacks', 'prod', 'cdk.tf.json'), '{}');
      expect(() => locateConfig({ synthDir: dir })).toThrow(/holds stacks dev, prod: name one with --stack/);
      expect(locateConfig({ synthDir: dir, stack: 'prod' })).toBe(join(dir, 'stacks', 'prod', 'cdk.tf.json'));
      expect(() => locateConfig({ synthDir: dir, stack: 'qa' })).toThrow(/no stack 'qa'/);
    });

    test('fails when nothing was synthesized, saying how to synthesize', () => {
      expect(() => locateConfig({ synthDir: join(dir, 'cdktf.out') })).toThrow(/run 'npx cdktf synth' first/);
    });
  });
});
