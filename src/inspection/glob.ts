/**
 * A path glob as faults and the request journal use it: `**` matches anything (slashes included), `*`
 * anything within one segment, `?` one character of a segment; the rest is literal. Case-insensitive,
 * since Graph paths are. Written here rather than adding picomatch for three wildcards.
 */
export function globToRegExp (glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` also matches no segment at all, so `/**/x` matches `/x`.
      if (glob[i + 2] === '/') { source += '(?:.*/)?'; i += 2 } else { source += '.*'; i += 1 }
    } else if (c === '*') source += '[^/]*'
    else if (c === '?') source += '[^/]'
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 'i')
}

export function globMatches (glob: string, path: string): boolean {
  return globToRegExp(glob).test(path)
}
