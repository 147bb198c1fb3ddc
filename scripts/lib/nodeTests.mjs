// Brings Node's own net tests (config.mjs: NODE_TESTS) into .cache/node-tests: Debian's
// nodejs source package through apt-get, with a sources list of the project's own so
// the machine's apt configuration is left alone; where there is no apt-get (Windows),
// the same file from Debian's pool over HTTP. Either way its sha256 is checked.
// Resolves null when they are there, else the reason they could not be had (the
// suite then skips them by that name).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { CACHE, NODE_TESTS } from './config.mjs';
import { capture, hasCommand, log } from './run.mjs';

const MARKER = path.join(NODE_TESTS.dir, '.version');
const APT_DIR = path.join(CACHE, 'apt-node-source');

function aptOptions() {
  return [
    '-o', `Dir::Etc::SourceList=${path.join(APT_DIR, 'sources.list')}`,
    '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${path.join(APT_DIR, 'lists')}`,
    '-o', `Dir::Cache=${path.join(APT_DIR, 'cache')}`,
  ];
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function downloadTarball() {
  fs.mkdirSync(path.join(APT_DIR, 'lists', 'partial'), { recursive: true });
  fs.mkdirSync(path.join(APT_DIR, 'cache', 'archives', 'partial'), { recursive: true });
  fs.writeFileSync(path.join(APT_DIR, 'sources.list'), `deb-src http://deb.debian.org/debian ${NODE_TESTS.suite} main\n`);
  const update = capture('apt-get', [...aptOptions(), 'update', '-q'], { cwd: APT_DIR });
  if (!update.ok) return `apt-get update of Debian's ${NODE_TESTS.suite} sources failed: ${update.stderr.trim().split('\n').pop()}`;
  const spec = `${NODE_TESTS.sourcePackage}=${NODE_TESTS.version}`;
  const source = capture('apt-get', [...aptOptions(), 'source', '--download-only', '-q', spec], { cwd: APT_DIR });
  if (!source.ok) return `apt-get source ${spec} failed: ${source.stderr.trim().split('\n').pop()}`;
  return null;
}

/** Without apt-get: the source package's tarball straight from Debian's pool. */
async function downloadFromPool(tarball) {
  const url = `${NODE_TESTS.pool}/${NODE_TESTS.tarball}`;
  try {
    const response = await fetch(url);
    if (!response.ok) return `${url}: HTTP ${response.status}`;
    fs.mkdirSync(APT_DIR, { recursive: true });
    fs.writeFileSync(tarball, Buffer.from(await response.arrayBuffer()));
    return null;
  } catch (error) {
    return `${url}: ${error.message}`;
  }
}

export async function ensureNodeTests() {
  if (fs.existsSync(MARKER) && fs.readFileSync(MARKER, 'utf8') === NODE_TESTS.version) return null;
  const tarball = path.join(APT_DIR, NODE_TESTS.tarball);
  if (!fs.existsSync(tarball)) {
    log(`fetching Node's own tests: Debian source package ${NODE_TESTS.sourcePackage} ${NODE_TESTS.version}`);
    const failed = hasCommand('apt-get') ? downloadTarball() : await downloadFromPool(tarball);
    if (failed) return failed;
  }
  if (sha256(tarball) !== NODE_TESTS.sha256) {
    fs.rmSync(tarball);
    return `${NODE_TESTS.tarball}: sha256 mismatch, refusing to use it`;
  }
  fs.rmSync(NODE_TESTS.dir, { recursive: true, force: true });
  fs.mkdirSync(NODE_TESTS.dir, { recursive: true });
  const members = NODE_TESTS.members.map((m) => `${NODE_TESTS.topDir}/${m}`);
  const untar = capture('tar', ['-xJf', tarball, '-C', NODE_TESTS.dir, '--strip-components=1', '--wildcards', ...members]);
  if (!untar.ok) return `unpacking ${NODE_TESTS.tarball} failed: ${untar.stderr.trim()}`;
  fs.writeFileSync(MARKER, NODE_TESTS.version);
  // The unpacked tree is all that is needed: the 24 MB of source archives go.
  for (const file of fs.readdirSync(APT_DIR)) if (file.startsWith(`${NODE_TESTS.sourcePackage}_`)) fs.rmSync(path.join(APT_DIR, file));
  return null;
}
