/** `graph-calling-mock/global-teardown`: Jest's globalTeardown for `graph-calling-mock/global-setup`. */
export { teardown as default } from './global-setup.js'
