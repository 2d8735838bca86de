/** Just enough of the Dockerfile and docker-compose.yml syntax to check them without Docker. */

export interface Instruction { keyword: string, args: string, line: number }
export interface Stage { name: string, from: string, instructions: Instruction[] }

/** Dockerfile stages with their instructions; `\` continuations joined, comments dropped. */
export function parseDockerfile (text: string): Stage[] {
  const stages: Stage[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1
    let line = lines[i]
    if (/^\s*(#|$)/.test(line)) continue
    while (line.trimEnd().endsWith('\\') && i + 1 < lines.length) line = line.trimEnd().slice(0, -1) + ' ' + lines[++i].trim()
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line)
    if (!m) throw new Error(`Dockerfile line ${start} is not an instruction: ${line}`)
    const keyword = m[1].toUpperCase()
    const args = m[2].trim().replace(/\s+/g, ' ')
    if (keyword === 'FROM') {
      const from = /^(\S+)(?: AS (\S+))?$/i.exec(args)
      if (!from) throw new Error(`Dockerfile line ${start}: cannot read FROM ${args}`)
      stages.push({ name: from[2] ?? String(stages.length), from: from[1], instructions: [] })
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile line ${start}: ${keyword} before FROM`)
      stages[stages.length - 1].instructions.push({ keyword, args, line: start })
    }
  }
  return stages
}

/** The exec form `["a", "b"]` as an array; the shell form as one string. */
export function execForm (args: string): string[] | string {
  return args.startsWith('[') ? JSON.parse(args) as string[] : args
}

/** `KEY=value KEY2=value2` (ENV) as a record. */
export function envPairs (args: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1')
  return out
}

export type Yaml = string | string[] | { [key: string]: Yaml }

function scalar (raw: string): Yaml {
  const v = raw.trim()
  if (v.startsWith('"')) return JSON.parse(v) as string
  if (v.startsWith("'")) return v.slice(1, -1).replace(/''/g, "'")
  if (v.startsWith('[')) return JSON.parse(v) as string[]
  if (/^[&*|>{!%@`]/.test(v) || / #/.test(v)) throw new Error(`unsupported YAML (anchor, alias, block scalar, flow map, tag or comment): ${v}`)
  return v
}

/**
 * Block-style YAML of maps, lists of scalars and scalars (quoted, plain or a JSON-style flow list): the
 * subset docker-compose.yml keeps to. Anything else throws, so the file cannot quietly outgrow the test.
 */
export function parseSimpleYaml (text: string): Yaml {
  const lines = text.split('\n').map((raw, i) => ({ raw, n: i + 1 })).filter((l) => !/^\s*(#|$)/.test(l.raw))
  let pos = 0
  const indentOf = (raw: string): number => raw.length - raw.trimStart().length

  function block (indent: number): Yaml {
    const first = lines[pos]
    if (first.raw.trimStart().startsWith('- ')) {
      const list: string[] = []
      while (pos < lines.length && indentOf(lines[pos].raw) === indent && lines[pos].raw.trimStart().startsWith('- ')) {
        const text = lines[pos].raw.trimStart().slice(2)
        const item = scalar(text)
        if (typeof item !== 'string' || /^[\w.-]+:(\s|$)/.test(text)) throw new Error(`line ${lines[pos].n}: only scalar list items are supported`)
        list.push(item)
        pos++
      }
      return list
    }
    const map: { [key: string]: Yaml } = {}
    while (pos < lines.length && indentOf(lines[pos].raw) === indent) {
      const { raw, n } = lines[pos]
      const m = /^\s*([\w.-]+):(?:\s+(.*))?$/.exec(raw)
      if (!m) throw new Error(`line ${n}: not a "key: value" line: ${raw}`)
      if (m[1] in map) throw new Error(`line ${n}: duplicate key ${m[1]}`)
      pos++
      if (m[2] !== undefined && m[2].trim() !== '') map[m[1]] = scalar(m[2])
      else if (pos < lines.length && indentOf(lines[pos].raw) > indent) map[m[1]] = block(indentOf(lines[pos].raw))
      else throw new Error(`line ${n}: ${m[1]} has no value`)
    }
    if (pos < lines.length && indentOf(lines[pos].raw) > indent) throw new Error(`line ${lines[pos].n}: unexpected indentation`)
    return map
  }

  const doc = block(0)
  if (pos < lines.length) throw new Error(`line ${lines[pos].n}: unexpected content`)
  return doc
}
