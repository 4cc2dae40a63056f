import { findingsOf, judge, model, scope } from '../world';

describe('DUPLICATES', () => {
  it('passes when every key is declared once, and references repeat declared keys', () => {
    expect(judge(model({ scopes: [scope('catalog.read'), { name: 'catalog.read', referenced: true }] }), 'DUPLICATES')).toEqual([]);
  });

  it('fails when a key is declared twice, naming the second declaration', () => {
    const m = model({ scopes: [scope('catalog.read'), scope('catalog.read')] });
    expect(judge(m, 'DUPLICATES')).toEqual(["[scopes catalog.read] DUPLICATES: scope 'catalog.read' is declared more than once; declare it once"]);
    expect(findingsOf(m, 'DUPLICATES')[0].object).toEqual({ kind: 'scopes', key: 'catalog.read', occurrence: 1 });
  });
});
