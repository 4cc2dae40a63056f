/**
 * The ajv set-up every schema of the project is compiled with: all errors,
 * defaults applied, `hint` annotations, and `timestamp: true` for RFC 3339
 * values checked by the one strict parser (lib/model/timestamp.ts).
 *
 * `timestamp` is a code-generating keyword (not a `validate` function) so that
 * the same set-up can also emit standalone code at build time
 * (scripts/bundle-provider.js): the generated code calls the parser through
 * `require("./timestamp")`, resolved from this directory when bundled.
 */
import Ajv, { _, KeywordCxt, Options } from 'ajv';
import addFormats from 'ajv-formats';
import { timestampProblem } from './timestamp';

export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strictTypes: false, ...options });
  addFormats(ajv, ['uri']);
  ajv.addKeyword({ keyword: 'hint', schemaType: 'string' });
  ajv.addKeyword({
    keyword: 'timestamp',
    type: 'string',
    schemaType: 'boolean',
    // The parser's reason is the message: "must be an RFC 3339 timestamp ...".
    error: { message: ({ params }) => _`${params.problem}` },
    code(cxt: KeywordCxt) {
      if (cxt.schema !== true) return;
      const parse = cxt.gen.scopeValue('func', { ref: timestampProblem, code: _`require("./timestamp").timestampProblem` });
      const problem = cxt.gen.const('problem', _`${parse}(${cxt.data})`);
      cxt.setParams({ problem });
      cxt.fail(_`${problem} !== null`);
    },
  });
  return ajv;
}
