// `wasm-opt --minify-imports-and-exports-and-modules ... | node scripts/wasm-names.mjs <out dir>
// <name>`: carries binaryen's renaming into wasm-bindgen's glue (scripts/wasm-build.sh).
//
// wasm-bindgen names each import `__wbg_<function>_<16 hex digits>` in the module
// "./<name>_bg.js", 84 times in the helper: 1.4 KB of the .wasm's gzip that no compressor can
// shorten, and the exports' names another 0.3 KB. wasm-opt renames them all (the module to one
// short name, every import and export to one or two letters) and prints the renaming as JSON
// on stdout, this script's stdin: {"imports": [[module, old, new], ...], "exports": [[old,
// new], ...]}. This script makes <name>.js, <name>.d.ts and <name>_bg.wasm.d.ts use the new
// names, then checks the result against the minified module itself
// (WebAssembly.Module.imports / .exports), so a glue that wasm-bindgen writes differently fails
// the build instead of a page.
import fs from "node:fs";
import path from "node:path";

const [out, name] = process.argv.slice(2);
if (!out || !name) {
  throw new Error("usage: wasm-opt --minify-imports-and-exports-and-modules ... | wasm-names.mjs <out dir> <name>");
}
const fail = (message) => {
  console.error(`wasm-names: ${name}: ${message}`);
  process.exit(1);
};
// stdin ends when wasm-opt exits, after it has written the module: read it first.
const map = JSON.parse(fs.readFileSync(0, "utf8"));
const module = new WebAssembly.Module(fs.readFileSync(path.join(out, `${name}_bg.wasm`)));
const moduleImports = WebAssembly.Module.imports(module);
const moduleExports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));

const glueModule = `./${name}_bg.js`;
const modules = new Set(moduleImports.map((i) => i.module));
if (modules.size !== 1) fail(`expected one import module, found ${[...modules].join(", ")}`);
const [newModule] = modules;
const imports = new Map();
for (const [from, old, renamed] of map.imports) {
  if (from !== glueModule) fail(`an import from ${from}, not ${glueModule}`);
  imports.set(old, renamed);
}
const exports = new Map(map.exports);

// <name>.js: the import object's keys and module, and every `wasm.<export>`.
const jsPath = path.join(out, `${name}.js`);
let js = fs.readFileSync(jsPath, "utf8");
const moduleKey = `    ${JSON.stringify(glueModule)}: import0,\n`;
if (js.split(moduleKey).length !== 2) fail(`the glue names the module ${glueModule} other than once`);
js = js.replace(moduleKey, `    ${JSON.stringify(newModule)}: import0,\n`);
const objectStart = js.indexOf("    const import0 = {\n");
const objectEnd = js.indexOf("\n    };\n", objectStart);
if (objectStart < 0 || objectEnd < 0) fail("no `const import0 = { ... };` in the glue");
const renamedKeys = new Set();
const object = js.slice(objectStart, objectEnd).replace(/^ {8}([A-Za-z_$][\w$]*): /gm, (line, key) => {
  if (key === "__proto__") return line;
  const renamed = imports.get(key);
  if (renamed === undefined) fail(`the glue provides ${key}, which the module does not import`);
  renamedKeys.add(renamed);
  return `        ${renamed}: `;
});
js = js.slice(0, objectStart) + object + js.slice(objectEnd);
const wanted = moduleImports.filter((i) => !renamedKeys.has(i.name)).map((i) => i.name);
if (wanted.length) fail(`the glue provides no ${wanted.join(", ")}`);
js = js.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (_, key) => {
  const renamed = exports.get(key);
  if (renamed === undefined || !moduleExports.has(renamed)) {
    fail(`the glue uses wasm.${key}, which the module does not export`);
  }
  return `wasm.${renamed}`;
});

// The typings of the raw exports (<name>_bg.wasm.d.ts, and InitOutput in <name>.d.ts) name
// them as they are now.
const renameTyped = (file, text, pattern) =>
  text.replace(pattern, (_, head, key) => {
    const renamed = exports.get(key);
    if (renamed === undefined) fail(`${file} types ${key}, which the module does not export`);
    return `${head}${renamed}:`;
  });
const bgPath = path.join(out, `${name}_bg.wasm.d.ts`);
const bg = renameTyped(
  bgPath,
  fs.readFileSync(bgPath, "utf8"),
  /^(export const )([A-Za-z_$][\w$]*):/gm,
);
const dtsPath = path.join(out, `${name}.d.ts`);
let dts = fs.readFileSync(dtsPath, "utf8");
const initStart = dts.indexOf("export interface InitOutput {\n");
const initEnd = dts.indexOf("\n}\n", initStart);
if (initStart < 0 || initEnd < 0) fail(`no InitOutput interface in ${name}.d.ts`);
dts =
  dts.slice(0, initStart) +
  renameTyped(dtsPath, dts.slice(initStart, initEnd), /^( {4}readonly )([A-Za-z_$][\w$]*):/gm) +
  dts.slice(initEnd);

// Written only once every check has passed: a failure leaves the glue and typings as they were.
fs.writeFileSync(jsPath, js);
fs.writeFileSync(bgPath, bg);
fs.writeFileSync(dtsPath, dts);
