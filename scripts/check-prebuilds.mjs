// The release gate, on any OS: prebuilds/ holds exactly one Node-API build for each
// release target, and each file's PE header names the CPU its folder promises.
// (Each file was also loaded and used on its own runner by check-binary.mjs.)
//   node scripts/check-prebuilds.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PREBUILD_FILE, RELEASE_TARGETS, ROOT } from './lib/config.mjs';
import { peInfo } from './lib/pe.mjs';

/** Problems with prebuilds/<target>/, or [] when it holds just the right file. */
export function checkPrebuild(prebuildsDir, target) {
  const dir = path.join(prebuildsDir, target);
  const file = path.join(dir, PREBUILD_FILE);
  if (!fs.existsSync(file)) return [`${target}: ${PREBUILD_FILE} is missing`];
  const problems = [];
  const strays = fs.readdirSync(dir).filter((f) => f.endsWith('.node') && f !== PREBUILD_FILE);
  if (strays.length) problems.push(`${target}: unexpected ${strays.join(', ')} (node-gyp-build could pick it)`);
  const arch = target.split('-')[1];
  const pe = peInfo(file);
  if (pe.arch !== arch) problems.push(`${target}: ${PREBUILD_FILE} is built for ${pe.arch}`);
  if (!pe.dll) problems.push(`${target}: ${PREBUILD_FILE} is not a DLL`);
  return problems;
}

function main() {
  const prebuildsDir = path.join(ROOT, 'prebuilds');
  const problems = RELEASE_TARGETS.flatMap((target) => checkPrebuild(prebuildsDir, target));
  for (const target of RELEASE_TARGETS) {
    const file = path.join(prebuildsDir, target, PREBUILD_FILE);
    if (fs.existsSync(file)) console.log(`${path.relative(ROOT, file)}: ${fs.statSync(file).size} bytes, ${peInfo(file).arch}`);
  }
  if (problems.length) {
    for (const p of problems) console.error(`check-prebuilds: ${p}`);
    process.exit(1);
  }
  console.log(`check-prebuilds: all ${RELEASE_TARGETS.length} release targets present (${RELEASE_TARGETS.join(', ')})`);
}

// Run as a script (not imported by the tests); compared as paths so Windows' C:\ form matches too.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
