// scripts/wasm-names.mjs on a module and glue of wasm-bindgen's shape: binaryen renames the
// imports, their module and the exports; the script carries the renaming into the glue and
// typings, which then instantiate and run; a glue that does not match the module fails the
// build with the name at fault and changes nothing. Needs binaryen's wasm-opt 132 (.tools).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const wasmOpt = path.join(root, ".tools/node_modules/.bin/wasm-opt");
const script = path.join(root, "scripts/wasm-names.mjs");

const wat = `(module
  (import "./x_bg.js" "__wbg_log_0123456789abcdef" (func $log (param i32)))
  (memory (export "memory") 1)
  (func (export "run") (param i32) (call $log (i32.mul (local.get 0) (i32.const 2)))))`;

/** The glue as wasm-bindgen --target web writes it, `extra` added to the import object. */
const glue = (extra = "") => `let wasm;
export function run(n) {
    wasm.run(n);
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_log_0123456789abcdef: function(arg0) {
            globalThis.wasmNamesLogged = arg0;
        },${extra}
    };
    return {
        __proto__: null,
        "./x_bg.js": import0,
    };
}
export function initSync(bytes) {
    wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes), __wbg_get_imports()).exports;
    return wasm;
}
`;

/** The typings, `extra` added to InitOutput. */
const typings = (extra = "") => `export function run(n: number): void;
export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly run: (a: number) => void;${extra}
}
`;

/** `name` as a regular expression matching it literally (binaryen's names include `$`). */
const literal = (name) => name.replace(/[$]/g, "\\$&");

const dirs = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A directory holding x_bg.wasm (from the WAT), x.js, x.d.ts and x_bg.wasm.d.ts. */
function fixture(extra, extraTyping) {
  const dir = mkdtempSync(path.join(tmpdir(), "wasm-names-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "x.wat"), wat);
  // (wasm-opt warns that no pass was named: it only assembles here.)
  execFileSync(wasmOpt, [path.join(dir, "x.wat"), "-o", path.join(dir, "x_bg.wasm")], {
    stdio: ["ignore", "ignore", "ignore"],
  });
  writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(path.join(dir, "x.js"), glue(extra));
  writeFileSync(path.join(dir, "x.d.ts"), typings(extraTyping));
  writeFileSync(
    path.join(dir, "x_bg.wasm.d.ts"),
    "export const memory: WebAssembly.Memory;\nexport const run: (a: number) => void;\n",
  );
  return dir;
}

/** wasm-opt's renaming piped into the script, as scripts/wasm-build.sh does. */
function rename(dir) {
  const wasm = path.join(dir, "x_bg.wasm");
  const map = execFileSync(wasmOpt, ["--minify-imports-and-exports-and-modules", wasm, "-o", wasm]);
  return spawnSync("node", [script, dir, "x"], { input: map, encoding: "utf8" });
}

test("the renamed glue instantiates the renamed module and calls through both ways", async () => {
  const dir = fixture();
  const renamed = rename(dir);
  assert.equal(renamed.status, 0, renamed.stderr);
  const module = new WebAssembly.Module(readFileSync(path.join(dir, "x_bg.wasm")));
  const names = [
    ...WebAssembly.Module.imports(module).flatMap((i) => [i.module, i.name]),
    ...WebAssembly.Module.exports(module).map((e) => e.name),
  ];
  assert.deepEqual(names.filter((name) => name.length > 2), []);
  const js = readFileSync(path.join(dir, "x.js"), "utf8");
  assert.doesNotMatch(js, /__wbg_log|"\.\/x_bg\.js"|wasm\.run/);
  const x = await import(path.join(dir, "x.js"));
  const exports = x.initSync(readFileSync(path.join(dir, "x_bg.wasm")));
  x.run(21);
  assert.equal(globalThis.wasmNamesLogged, 42);
  // The typings of the raw exports name them as the module now does.
  const typed = readFileSync(path.join(dir, "x.d.ts"), "utf8");
  assert.match(typed, /^export function run\(n: number\): void;$/m);
  for (const name of Object.keys(exports)) {
    assert.match(typed, new RegExp(`^    readonly ${literal(name)}: `, "m"));
    assert.match(readFileSync(path.join(dir, "x_bg.wasm.d.ts"), "utf8"), new RegExp(`^export const ${literal(name)}: `, "m"));
  }
});

test("a glue that provides an import the module does not have fails, naming it, and is left as it was", () => {
  const extra = "\n        __wbg_gone_fedcba9876543210: function() {},";
  const dir = fixture(extra);
  const renamed = rename(dir);
  assert.equal(renamed.status, 1);
  assert.match(renamed.stderr, /wasm-names: x: the glue provides __wbg_gone_fedcba9876543210, which the module does not import/);
  assert.equal(readFileSync(path.join(dir, "x.js"), "utf8"), glue(extra));
  assert.equal(readFileSync(path.join(dir, "x.d.ts"), "utf8"), typings());
});

test("typings of an export the module does not have fail, and the glue is left as it was", () => {
  const extraTyping = "\n    readonly stale: () => void;";
  const dir = fixture("", extraTyping);
  const renamed = rename(dir);
  assert.equal(renamed.status, 1);
  assert.match(renamed.stderr, /x\.d\.ts types stale, which the module does not export/);
  assert.equal(readFileSync(path.join(dir, "x.js"), "utf8"), glue());
  assert.equal(readFileSync(path.join(dir, "x.d.ts"), "utf8"), typings(extraTyping));
});
