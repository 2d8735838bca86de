import neostandard from 'neostandard'
import { createNodeResolver, importX } from 'eslint-plugin-import-x'

// The style every file follows (no semicolons, two spaces, single quotes); `npm run lint` checks it.
// The layer rules below are written down in docs/architecture.md (Layers).
export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'node_modules/**'] }),
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    // Sources import each other as '.js' (what tsc emits); the checks read the '.ts' beside it.
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } })]
    },
    rules: {
      // No folder may reach back into a module that imports it, type imports included.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // The engine is the innermost layer: it is given ports, and imports none of the modules around it.
      'import-x/no-restricted-paths': ['error', {
        zones: [{
          target: './src/engine',
          from: ['./src/routes', './src/notifications', './src/recordings', './src/inspection', './src/auth', './src/schemas', './src/graph', './src/mock-services.ts', './src/app.ts', './src/server.ts'],
          message: 'The engine imports nothing from the layers around it (docs/architecture.md, Layers); give it a port instead.'
        }, {
          // Routes call the services; nothing below the routes calls back up into them.
          target: ['./src/engine', './src/notifications', './src/recordings', './src/inspection', './src/auth', './src/graph', './src/schemas', './src/clock', './src/errors', './src/config', './src/logging'],
          from: './src/routes',
          message: 'Only the wiring (app.ts) imports routes/ (docs/architecture.md, Layers).'
        }]
      }]
    }
  }
]
