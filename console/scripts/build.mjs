// Builds the console: the typed API client from pfhost/openapi.json, a type check (a route
// or schema the console does not follow fails here), then Vite into --outDir.
//   node scripts/build.mjs [--outDir DIR] [--spec PATH]
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const outDir = resolve(opt("--outDir", join(here, "dist")));
const spec = resolve(opt("--spec", join(here, "..", "pfhost", "openapi.json")));
const bin = (n) => join(here, "node_modules", ".bin", n);
const run = (cmd, a, quiet = false) =>
  execFileSync(cmd, a, { cwd: here, stdio: quiet ? ["ignore", "ignore", "inherit"] : "inherit" });

if (!existsSync(bin("vite"))) {
  console.error("console: node_modules missing; run `npm ci` in console/ (scripts/install-deps does)");
  process.exit(1);
}
// Generated next to a temporary name and renamed: two builds at once (two build directories)
// never see half a file.
const gen = join(here, "src", "api", "schema.gen.d.ts");
const tmp = `${gen}.${process.pid}.tmp`;
run(process.execPath, [join(here, "node_modules", "openapi-typescript", "bin", "cli.js"), spec, "-o", tmp], true);
const text = readFileSync(tmp, "utf8");
if (!existsSync(gen) || readFileSync(gen, "utf8") !== text) renameSync(tmp, gen);
else execFileSync("rm", ["-f", tmp]);
run(process.execPath, [join(here, "node_modules", "typescript", "bin", "tsc"), "-p", join(here, "tsconfig.json")]);
mkdirSync(outDir, { recursive: true });
run(process.execPath, [join(here, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn", "--emptyOutDir", "--outDir", outDir]);
