// The independent oracle for JSON Schema compatibility: the `json-schema-diff` package compares
// the sets of documents two schemas accept. For each case of a table (a JSON file: name, old,
// new), prints one JSON line: whether the new schema refuses documents the old one accepted
// (`removals`: BACKWARD breaks), whether it accepts documents the old one refused (`additions`:
// FORWARD breaks), or the error it gave. `$schema` is left out: the package validates its input
// as draft-07 and refuses the 2019-09 and 2020-12 meta-schema URIs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const jsonSchemaDiff = require("json-schema-diff");

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
for (const c of cases) {
  try {
    const bare = (s) => {
      if (s === null || typeof s !== "object") return s;
      const { $schema, ...rest } = s;
      return rest;
    };
    const r = await jsonSchemaDiff.diffSchemas({ sourceSchema: bare(c.old), destinationSchema: bare(c.new) });
    console.log(JSON.stringify({ name: c.name, removals: r.removalsFound, additions: r.additionsFound }));
  } catch (e) {
    console.log(JSON.stringify({ name: c.name, error: String(e && e.message ? e.message : e) }));
  }
}
