// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * ESLint with typescript-eslint's type-checked rules: above all
 * no-floating-promises and no-misused-promises, since an un-awaited query in a
 * transaction is exactly the bug a batch job that writes audit rows cannot afford.
 */
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.stryker-tmp/**', 'mutation-report/**', 'reports/**', 'evidence/**', '.embedded-pg/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
