// Validates multi-document Kubernetes YAML (from stdin) against the Kubernetes API schemas (kubernetes-models),
// the Istio CRD schemas (@kubernetes-models/istio) and cert-manager's (@kubernetes-models/cert-manager). Exits 1
// on any violation or on a kind it has no schema for, so nothing passes unchecked.
import { parseAllDocuments } from "yaml";

const label = process.argv[2] ?? "stdin";
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const docs = parseAllDocuments(Buffer.concat(chunks).toString("utf8"));

function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group.endsWith(".istio.io")) return `@kubernetes-models/istio/${group}/${version}/${kind}`;
  if (group.endsWith("cert-manager.io")) return `@kubernetes-models/cert-manager/${group}/${version}/${kind}`;
  return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

let failures = 0;
let count = 0;
for (const doc of docs) {
  if (doc.errors.length > 0) {
    console.log(`${label}: YAML error: ${doc.errors[0].message}`);
    failures++;
    continue;
  }
  const obj = doc.toJS();
  if (obj === null) continue;
  count++;
  const id = `${obj.kind}/${obj.metadata?.namespace ? obj.metadata.namespace + "/" : ""}${obj.metadata?.name}`;
  let Model;
  try {
    Model = (await import(modulePath(obj.apiVersion, obj.kind)))[obj.kind];
  } catch {
    console.log(`${label}: ${id}: no schema for ${obj.apiVersion} ${obj.kind}`);
    failures++;
    continue;
  }
  try {
    new Model(obj).validate();
  } catch (e) {
    console.log(`${label}: ${id}: ${e.message}`);
    failures++;
  }
}
console.log(`schemas: ${label}: ${count} objects, ${failures} invalid`);
process.exit(failures === 0 && count > 0 ? 0 : 1);
