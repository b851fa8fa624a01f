// The generator's entry point for Nx: Nx loads generators with require(), and this machine's Node (20)
// cannot run TypeScript, so SWC compiles the generator as it is required (tools/swc-register.cjs, the
// repository's .swcrc) as it does for the benchmarks.
require('../../swc-register.cjs');
module.exports = require('./provider.generator.ts');
