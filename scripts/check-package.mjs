// Last check before `npm publish` in release.yml, on the tarball npm would upload:
// - the pushed tag (GITHUB_REF_NAME) is v<package.json version>;
// - package.json's repository is this GitHub repository (GITHUB_REPOSITORY): npm
//   rejects a --provenance publish whose repository.url does not match (E422);
// - the tarball holds the compiled entry points and every release target's prebuild.
//   GITHUB_REF_NAME=v0.1.0 GITHUB_REPOSITORY=owner/name node scripts/check-package.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PREBUILD_FILE, RELEASE_TARGETS, ROOT } from './lib/config.mjs';

const REQUIRED_FILES = [
  'package.json', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts',
  ...RELEASE_TARGETS.map((target) => `prebuilds/${target}/${PREBUILD_FILE}`),
];

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (GitHub Actions sets it; locally, set it by hand)`);
  return value;
}

/** "owner/name" from the forms npm accepts: "github:o/n", "o/n", "git+https://github.com/o/n.git", ... */
function githubRepository(repository) {
  const url = typeof repository === 'string' ? repository : repository?.url;
  if (!url) return null;
  const match = url.match(/^(?:github:)?([\w.-]+\/[\w.-]+?)(?:\.git)?$/) ?? url.match(/github\.com[/:]([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/);
  return match?.[1] ?? null;
}

function packedFiles() {
  const npm = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT, encoding: 'utf8', shell: process.platform === 'win32',
  });
  if (npm.status !== 0) throw new Error(`npm pack --dry-run failed: ${npm.stderr}`);
  return JSON.parse(npm.stdout)[0].files.map((f) => f.path);
}

function main() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const problems = [];
  const tag = requiredEnv('GITHUB_REF_NAME');
  if (tag !== `v${pkg.version}`) problems.push(`tag ${tag} is not v${pkg.version} (package.json version)`);
  const expected = requiredEnv('GITHUB_REPOSITORY');
  const declared = githubRepository(pkg.repository);
  if (declared?.toLowerCase() !== expected.toLowerCase()) {
    problems.push(`package.json repository is ${declared ?? 'missing'}, not https://github.com/${expected} (npm rejects the provenance)`);
  }
  const packed = new Set(packedFiles());
  for (const file of REQUIRED_FILES) if (!packed.has(file)) problems.push(`the tarball lacks ${file}`);
  if (problems.length) {
    for (const p of problems) console.error(`check-package: ${p}`);
    process.exit(1);
  }
  console.log(`check-package: ${pkg.name}@${pkg.version} from ${expected}: ${packed.size} files, ${REQUIRED_FILES.length} required ones present`);
}

main();
