// Checks the store's mesh dashboard against Grafana's own dashboard schema: the `Dashboard` type that Grafana
// generates from its CUE schema and ships in @grafana/schema. Reads a rendered stack (multi-document YAML) from
// stdin, takes the dashboard from the ConfigMap the publishing Job posts, and type-checks it as a literal of that
// type, so a missing required field, a wrong type or a field the schema does not have is an error. Exits 1 on any.
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { parseAllDocuments } from "yaml";

const label = process.argv[2] ?? "stdin";
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const docs = parseAllDocuments(Buffer.concat(chunks).toString("utf8")).map((d) => d.toJS());
const map = docs.find((o) => o?.kind === "ConfigMap" && o.metadata?.name === "store-mesh-dashboard");
if (!map) {
  console.log(`dashboard: ${label}: no ConfigMap store-mesh-dashboard in the render`);
  process.exit(1);
}
const request = JSON.parse(map.data["dashboard.json"]);

// The check file lives beside node_modules so that the package resolves.
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(here, ".dashboard-check-"));
try {
  const file = join(dir, "dashboard.ts");
  writeFileSync(file, `import type { Dashboard } from "@grafana/schema";\nexport const dashboard: Dashboard = ${JSON.stringify(request.dashboard, null, 2)};\n`);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  for (const d of diagnostics) {
    const where = d.file ? `line ${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : "";
    console.log(`dashboard: ${label}: ${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  }
  const panels = request.dashboard.panels?.length ?? 0;
  console.log(`dashboard: ${label}: '${request.dashboard.uid}', ${panels} panels, ${diagnostics.length} errors against @grafana/schema's Dashboard`);
  process.exit(diagnostics.length === 0 && panels > 0 ? 0 : 1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
