// Type-aware checks that the compiler does not make. The store's methods answer Promises (lib/server/store/store.ts):
// a call without `await` still compiles, and would let a write land outside its transaction, or after the answer.
import tseslint from 'typescript-eslint';

export default [
  {
    files: ['lib/**/*.ts', 'bench/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A Promise neither awaited, returned nor handled: its work may run after the transaction or the answer, its error nowhere.
      '@typescript-eslint/no-floating-promises': 'error',
      // A Promise where a value is tested or a callback returns nothing: `if (store.get(...))` is always true.
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
];
