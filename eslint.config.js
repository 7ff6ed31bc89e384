// ESLint for the whole project (npm run lint). typescript-eslint's recommended rules without type
// information: the type checker already runs in `npm run typecheck`, and the syntactic rules keep
// the lint pass under a minute on two cores. Formatting is Prettier's (eslint-config-prettier is not
// needed: the recommended sets hold no formatting rules).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.data/**',
      '.artifacts/**',
      'tab/dist/**',
      'appPackage/build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        window: 'readonly',
        document: 'readonly',
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: {
      // Unused names are errors, except the ones named `_` on purpose (ignored parameters, rest-omit).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
          ignoreRestSiblings: true,
        },
      ],
      // Imports are type-only where they can be, so the core's type imports never load a module.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-undef': 'off', // TypeScript's own check is exact; this one does not know Node's and the DOM's globals.
    },
  },
  {
    files: ['tests/**', 'bench/**', 'scripts/**'],
    rules: {
      // Tests chain on values they just asserted to exist.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      // Tests read wire payloads and SDK internals whose types are the point of the test, not its subject.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
