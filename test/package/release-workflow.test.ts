import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

// GitHub Actions cannot run here: the workflow's text is checked for what a release must do.
const workflow = readFileSync('.github/workflows/release.yml', 'utf8')
const job = (name: string): string => {
  const start = workflow.indexOf(`\n  ${name}:\n`)
  assert.ok(start > 0, `the workflow has a ${name} job`)
  const next = workflow.slice(start + 1).search(/\n {2}[\w-]+:\n/)
  return next < 0 ? workflow.slice(start) : workflow.slice(start, start + 1 + next)
}

test('a v* tag runs the tests on Node 20 and newer, then publishes to npm with provenance', () => {
  assert.match(workflow, /\non:\n {2}push:\n {4}tags: \['v\*'\]\n/)
  const tests = job('test')
  assert.match(tests, /node: \[20, /, 'the oldest Node line package.json\'s engines allow')
  assert.match(tests, /run: npm ci\n[\s\S]*run: npm test\n[\s\S]*run: npm run test:install\n/)
  const npm = job('npm')
  assert.match(npm, /needs: test\n/)
  assert.match(npm, /id-token: write/)
  assert.match(npm, /npm publish --provenance --access public/)
  assert.match(npm, /require\("\.\/package\.json"\)\.version'\)" = "\$GITHUB_REF_NAME"/, 'the tag must match the version')
})

test('the image is built from the runtime target for amd64 and arm64 and pushed to GHCR under the name the package uses', () => {
  const image = job('image')
  assert.match(image, /needs: test\n/)
  assert.match(image, /packages: write/)
  assert.match(image, /registry: ghcr\.io/)
  assert.match(image, /target: runtime/)
  assert.match(image, /platforms: linux\/amd64,linux\/arm64/)
  assert.match(image, /push: true/)
  assert.match(image, /images: ghcr\.io\/\$\{\{ github\.repository \}\}/)
  const repository = (JSON.parse(readFileSync('package.json', 'utf8')) as { repository: { url: string } }).repository.url
  const owner = /github\.com\/([\w-]+\/[\w-]+)\.git$/.exec(repository)?.[1]
  assert.match(readFileSync('src/testcontainers.ts', 'utf8'), new RegExp(`ghcr\\.io/${owner}:\\$\\{VERSION\\}`), 'startMockContainer pulls the image this workflow pushes')
})
