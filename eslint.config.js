import neostandard from 'neostandard'

// The style every file follows (no semicolons, two spaces, single quotes); `npm run lint` checks it.
export default neostandard({ ts: true, ignores: ['dist/**', 'node_modules/**'] })
