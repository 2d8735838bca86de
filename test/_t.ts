import type { Settings } from '/work/main/src/config/settings.js'
type L = Settings['logLevel']
const x: L = 'warn'
