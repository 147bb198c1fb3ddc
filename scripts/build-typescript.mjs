// Compiles lib/ to dist/ (CommonJS, types and the ESM wrapper) and nothing else:
// the release's publish job, whose addons come from prebuilds/, needs no toolchain.
//   node scripts/build-typescript.mjs
import { buildTypeScript } from './build.mjs';

buildTypeScript();
