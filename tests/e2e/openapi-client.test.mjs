// A TypeScript client generated from the served /openapi.json with a standard generator
// (openapi-typescript, whose types are named by operationId, and openapi-fetch; both pinned in
// scripts/setup.sh and installed in .tools) compiles with `tsc --strict`, and the compiled
// client talks to the real server. A repeated operationId is two declarations of one name in
// the generated types: the second test shows that tsc refuses it. scripts/e2e.sh sets
// FACEGATE_TEST_URL and FACEGATE_SERVER_DATA (where the development API key is).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const server = process.env.FACEGATE_TEST_URL;
const dataDir = process.env.FACEGATE_SERVER_DATA;
const tools = fileURLToPath(new URL("../../.tools/node_modules/", import.meta.url));

// The generated client's user: every call names its operation's types through `operations`,
// so a renamed operationId fails here too.
const consumer = `
import createClient from "openapi-fetch";
import type { components, operations, paths } from "./api";

type Verification = components["schemas"]["Verification"];
type ErrorBody = components["schemas"]["ErrorBody"];
type Created = operations["createVerification"]["responses"][200]["content"]["application/json"];
type FrontEnd = operations["getClientVerification"]["responses"][200]["content"]["application/json"];
type NotFound = operations["getVerification"]["responses"][404]["content"]["application/json"];

export interface Journey {
  created: Created;
  read: Verification;
  frontEnd: FrontEnd;
  listed: number;
  canceled: Verification["status"];
  notFound: NotFound;
  unauthorized: ErrorBody;
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === "object" && value !== null && "error" in value;
}

export async function journey(baseUrl: string, apiKey: string): Promise<Journey> {
  const client = createClient<paths>({ baseUrl });
  const headers = { Authorization: \`Bearer \${apiKey}\` };
  const created = await client.POST("/v1/verifications", {
    headers,
    body: { provider: "sandbox", reference: "ts-client", return_url: \`\${baseUrl}/done\` },
  });
  if (!created.data) throw new Error(\`create: \${JSON.stringify(created.error)}\`);
  const id = created.data.id;
  const secret = created.data.client_secret;
  if (!secret) throw new Error("create: no client_secret");
  const read = await client.GET("/v1/verifications/{id}", { headers, params: { path: { id } } });
  if (!read.data) throw new Error(\`read: \${JSON.stringify(read.error)}\`);
  const frontEnd = await client.GET("/v1/client/verifications/{id}", {
    params: { path: { id }, query: { client_secret: secret } },
  });
  if (!frontEnd.data) throw new Error(\`client read: \${JSON.stringify(frontEnd.error)}\`);
  const listed = await client.GET("/v1/verifications", {
    headers,
    params: { query: { reference: "ts-client", limit: 10 } },
  });
  if (!listed.data) throw new Error(\`list: \${JSON.stringify(listed.error)}\`);
  const canceled = await client.POST("/v1/verifications/{id}/cancel", { headers, params: { path: { id } } });
  if (!canceled.data) throw new Error(\`cancel: \${JSON.stringify(canceled.error)}\`);
  const missing = await client.GET("/v1/verifications/{id}", {
    headers,
    params: { path: { id: "vs_AAAAAAAAAAAAAAAAAAAAAAAA" } },
  });
  // Its 400 (an id that is not UTF-8) is plain text, so the error's type is only \`{}\`.
  if (!isErrorBody(missing.error)) throw new Error("an unknown id was found");
  const anonymous = await client.GET("/v1/verifications", {});
  if (!anonymous.error) throw new Error("a list without a key was answered");
  return {
    created: created.data,
    read: read.data,
    frontEnd: frontEnd.data,
    listed: listed.data.data.length,
    canceled: canceled.data.status,
    notFound: missing.error,
    unauthorized: anonymous.error,
  };
}
`;

const tsconfig = {
  compilerOptions: {
    strict: true,
    target: "ES2022",
    module: "ES2022",
    moduleResolution: "Bundler",
    lib: ["ES2022", "DOM", "DOM.Iterable"],
    // The generated .d.ts is checked like the rest.
    skipLibCheck: false,
    outDir: "out",
  },
  files: ["api.d.ts", "client.ts"],
};

let doc;
let scratch;

before(async () => {
  assert.ok(server && dataDir, "run through scripts/e2e.sh (FACEGATE_TEST_URL, FACEGATE_SERVER_DATA)");
  const response = await fetch(`${server}/openapi.json`);
  assert.equal(response.status, 200);
  doc = await response.json();
  scratch = mkdtempSync(join(tmpdir(), "facegate-ts-client-"));
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// A scratch TypeScript project for `document`: generated types, the consumer, the pinned
// tools' node_modules. Returns its directory.
function project(name, document) {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "openapi.json"), JSON.stringify(document));
  writeFileSync(join(dir, "client.ts"), consumer);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  symlinkSync(tools, join(dir, "node_modules"), "dir");
  run(dir, "openapi-typescript", ["openapi.json", "--output", "api.d.ts"]);
  return dir;
}

function run(dir, tool, args) {
  return execFileSync(join(tools, ".bin", tool), args, { cwd: dir, encoding: "utf8", stdio: "pipe" });
}

// tsc's output, or null when it compiles.
function compile(dir) {
  try {
    run(dir, "tsc", ["--project", "tsconfig.json", "--strict"]);
    return null;
  } catch (error) {
    return `${error.stdout}${error.stderr}`;
  }
}

function operationIds(document) {
  const ids = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (["get", "put", "post", "delete", "options", "head", "patch", "trace"].includes(method)) {
        ids.push([operation.operationId, `${method.toUpperCase()} ${path}`]);
      }
    }
  }
  return ids;
}

test("the served document's TypeScript client compiles with tsc --strict and talks to the server", async () => {
  const ids = operationIds(doc);
  const seen = new Map();
  for (const [id, operation] of ids) {
    assert.ok(id, `${operation} has no operationId`);
    assert.ok(!seen.has(id), `operationId ${id}: ${seen.get(id)} and ${operation}`);
    seen.set(id, operation);
  }

  const dir = project("served", doc);
  const generated = readFileSync(join(dir, "api.d.ts"), "utf8");
  for (const [id] of ids) {
    assert.match(generated, new RegExp(`^    ${id}: \\{`, "m"), `the generated types name ${id}`);
  }
  const errors = compile(dir);
  assert.equal(errors, null, `tsc --strict failed on the generated client:\n${errors}`);

  const apiKey = readFileSync(join(dataDir, "dev-api-key"), "utf8").trim();
  const client = await import(pathToFileURL(join(dir, "out", "client.js")).href);
  const result = await client.journey(server, apiKey);
  assert.equal(result.created.object, "verification");
  assert.equal(result.read.id, result.created.id);
  assert.equal(result.frontEnd.id, result.created.id);
  assert.ok(result.listed >= 1);
  assert.equal(result.canceled, "canceled");
  assert.equal(result.notFound.error.code, "not_found");
  assert.equal(result.unauthorized.error.code, "unauthorized");
});

test("a repeated operationId would not compile: the check has teeth", () => {
  const broken = structuredClone(doc);
  broken.paths["/v1/client/verifications/{id}"].get.operationId = "getVerification";
  const errors = compile(project("repeated", broken));
  assert.ok(errors, "tsc accepted a client with a repeated operationId");
  assert.match(errors, /TS2300: Duplicate identifier 'getVerification'/);
});
