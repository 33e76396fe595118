// The web console in a real browser against a real host: Playwright (playwright-core) drives
// Debian's chromium (never a downloaded browser) through `pfhost serve --source testpattern`,
// with the in-repo GameStream client (pf-console-gs) pairing and streaming. Prints TAP.
//
// Environment (set by meson): PFHOST_BIN, PFHOST_CONSOLE_DIR, PF_CONSOLE_GS, CHROMIUM,
// PF_CONSOLE_ARTIFACTS (screenshots at 360 and 1280 px and the host log on failure).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync, copyFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set`);
  return process.env[k];
};
const pfhostBin = env("PFHOST_BIN");
const gsCli = env("PF_CONSOLE_GS");
const artifacts = process.env.PF_CONSOLE_ARTIFACTS ?? join(tmpdir(), "pf-console-artifacts");
const axeSource = readFileSync(join(here, "..", "node_modules", "axe-core", "axe.min.js"), "utf8");
const PASSWORD = "correct horse battery";
const PASSWORD2 = "tr0ub4dor and 3";

const work = mkdtempSync(join(tmpdir(), "pf-console-"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let results = [];
let host, runtime, base, page, context;
const children = [];

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function waitFor(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** A raw HTTP request to the management port (headers exactly as given). */
function raw(method, path, headers = {}, body, localAddress) {
  const u = new URL(base);
  return new Promise((res, rej) => {
    const r = httpRequest(
      { host: u.hostname, port: u.port, method, path, headers: { Host: u.host, ...headers }, setHost: false, localAddress },
      (resp) => {
        let data = "";
        resp.setEncoding("utf8");
        resp.on("data", (d) => (data += d));
        resp.on("end", () => res({ status: resp.statusCode, headers: resp.headers, body: data }));
      },
    );
    r.on("error", rej);
    if (body) r.write(body);
    r.end();
  });
}

function startHost() {
  const cfgDir = join(work, "config", "pfhost");
  mkdirSync(cfgDir, { recursive: true });
  const log = join(work, "host.log");
  const child = spawn(pfhostBin, ["--verbose", "serve", "--source", "testpattern", "--grace", "2"], {
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(work, "config"),
      XDG_STATE_HOME: join(work, "state"),
      XDG_RUNTIME_DIR: join(work, "run"),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let text = "";
  child.stderr.on("data", (d) => {
    text += d;
    writeFileSync(log, text);
  });
  children.push(child);
  return child;
}

function gs(args) {
  const child = spawn(gsCli, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.out = "";
  child.stdout.on("data", (d) => (child.out += d));
  child.stderr.on("data", (d) => (child.out += d));
  child.done = new Promise((res) => child.on("exit", (code) => res(code)));
  children.push(child);
  return child;
}

async function axe(name) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] }).then((x) =>
      x.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })),
    ),
  );
  if (process.env.PF_CONSOLE_SHOTS) await screenshots(name, process.env.PF_CONSOLE_SHOTS);
  const bad = r.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert(bad.length === 0, `${name}: accessibility violations ${JSON.stringify(bad)}`);
}

/** No horizontal scrolling at 360 px: the page is usable on a phone. */
async function fits360(name) {
  await page.setViewportSize({ width: 360, height: 740 });
  await sleep(150);
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize({ width: 1280, height: 900 });
  assert(w <= 362, `${name} is ${w} px wide at a 360 px viewport`);
}

async function gotoPage(label, heading) {
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: label }).click();
  await page.getByRole("heading", { level: 1, name: heading ?? label }).waitFor();
}

const cspViolations = [];

async function screenshots(name, into = artifacts) {
  if (!page) return;
  mkdirSync(into, { recursive: true });
  const safe = name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 900 }).catch(() => undefined);
    await page.screenshot({ path: join(into, `${safe}-${width}.png`), fullPage: true }).catch(() => undefined);
  }
  await page.setViewportSize({ width: 1280, height: 900 }).catch(() => undefined);
  if (existsSync(join(work, "host.log"))) copyFileSync(join(work, "host.log"), join(into, "host.log"));
}

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push([true, name]);
    console.log(`ok ${results.length} - ${name} # ${Date.now() - t0} ms`);
  } catch (e) {
    results.push([false, name]);
    console.log(`not ok ${results.length} - ${name}`);
    console.log(`# ${String(e.stack ?? e).split("\n").slice(0, 4).join("\n# ")}`);
    await screenshots(name);
    throw e;
  }
}

function png(w, h, extra = 0) {
  // A real, small PNG: signature, IHDR, one IDAT of grey pixels, IEND.
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  const rows = Buffer.alloc((w + 1) * h, 0x80);
  for (let y = 0; y < h; y++) rows[y * (w + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    ...(extra ? [chunk("tEXt", Buffer.concat([Buffer.from("Comment\0"), randomBytes(extra)]))] : []),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

async function main() {
  const rtsp = await freePort();
  const cfgDir = join(work, "config", "pfhost");
  mkdirSync(cfgDir, { recursive: true });
  writeFileSync(
    join(cfgDir, "pfhost.conf"),
    `# console test\nhttp_port = 0\nhttps_port = 0\napi_port = 0\nrtsp_port = ${rtsp}\nmdns = no\npin_wait = 60\n`,
  );
  writeFileSync(join(cfgDir, "apps.json"), JSON.stringify({ apps: [{ name: "Desktop" }] }));
  host = startHost();
  const rtPath = join(work, "run", "pfhost", "runtime.json");
  runtime = await waitFor(async () => existsSync(rtPath) && JSON.parse(readFileSync(rtPath, "utf8")), "pfhost to start");
  base = runtime.api_url;
  const status = JSON.parse(
    (await raw("GET", "/api/v1/status", { Authorization: `Bearer ${readFileSync(runtime.token_file, "utf8").trim()}` })).body,
  );
  const ports = status.ports;

  const profile = mkdtempSync(join(tmpdir(), "pf-console-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: env("CHROMIUM"),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.setDefaultTimeout(15000);

  await step("before login only the login page is served, with CSP and caching headers", async () => {
    const root = await raw("GET", "/");
    assert(root.status === 200 && /log in/.test(root.body), "/ is the login page");
    assert(/^text\/html/.test(root.headers["content-type"]), "HTML content type");
    assert(root.headers["cache-control"] === "no-cache", "pages are revalidated");
    const csp = root.headers["content-security-policy"] ?? "";
    assert(/default-src 'none'/.test(csp) && /script-src 'self'/.test(csp) && !/unsafe/.test(csp), `strict CSP: ${csp}`);
    assert(root.headers["x-content-type-options"] === "nosniff", "nosniff");
    const index = readFileSync(join(env("PFHOST_CONSOLE_DIR"), "index.html"), "utf8");
    const appJs = index.match(/src="(\/assets\/[^"]+\.js)"/)[1];
    assert((await raw("GET", appJs)).status === 401, "the app's code is refused before login");
    assert((await raw("GET", "/apps")).body.includes("log in"), "every page is the login page before login");
    const loginJs = root.body.match(/src="(\/assets\/[^"]+\.js)"/)[1];
    const lj = await raw("GET", loginJs);
    assert(lj.status === 200 && /^text\/javascript/.test(lj.headers["content-type"]), "login script served as JavaScript");
    assert(/immutable/.test(lj.headers["cache-control"]), "hashed assets are immutable");
    const escape = await raw("GET", "/assets/../../../../../etc/host.conf");
    assert(escape.status === 404 && !/multi/.test(escape.body), "no path escapes");
    assert((await raw("GET", "/api/v1/status")).status === 401, "the API needs a login or a token");
  });

  await step("a foreign Host (DNS rebinding) is refused; an IP or localhost is not", async () => {
    const u = new URL(base);
    const evil = await raw("GET", "/api/v1/auth", { Host: `rebind.example:${u.port}` });
    assert(evil.status === 403, `foreign Host got ${evil.status}`);
    assert((await raw("GET", "/", { Host: `rebind.example:${u.port}` })).status === 403, "console refused too");
    assert((await raw("GET", "/api/v1/auth", { Host: `localhost:${u.port}` })).status === 200, "localhost is fine");
  });

  await step("wrong tokens lock out only the address they come from", async () => {
    const token = readFileSync(runtime.token_file, "utf8").trim();
    const bad = { Authorization: `Bearer ${"0".repeat(64)}` };
    const good = { Authorization: `Bearer ${token}` };
    let last;
    for (let i = 0; i < 6; i++) last = await raw("GET", "/api/v1/status", bad, undefined, "127.0.0.2");
    assert(last.status === 429, `the guessing address got ${last.status}`);
    assert((await raw("GET", "/api/v1/status", good, undefined, "127.0.0.2")).status === 429, "it stays locked");
    assert((await raw("GET", "/api/v1/status", good, undefined, "127.0.0.1")).status === 200, "others keep working");
    const u = new URL(base);
    const rebound = await raw("GET", "/api/v1/status", { ...good, Host: `rebind.example:${u.port}`, Origin: `http://rebind.example:${u.port}` });
    assert(rebound.status === 403, `Host and Origin both foreign got ${rebound.status}`);
  });

  await step("first visit sets the admin password (keyboard only, errors next to the field)", async () => {
    await page.goto(base + "/");
    await page.getByText("Choose the password").waitFor();
    await axe("login page (first run)");
    await page.keyboard.press("Tab");
    await page.keyboard.type("short");
    await page.keyboard.press("Enter");
    await page.locator("#password-error", { hasText: "at least 8" }).waitFor();
    await page.fill("#password", PASSWORD);
    await page.fill("#confirm", PASSWORD + "x");
    await page.keyboard.press("Enter");
    await page.locator("#confirm-error", { hasText: "differ" }).waitFor();
    await page.fill("#confirm", PASSWORD);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    const cookies = await context.cookies();
    const c = cookies.find((x) => x.name === "pf_session");
    assert(c && c.httpOnly && c.sameSite === "Strict", `session cookie flags: ${JSON.stringify(c)}`);
    const pw = readFileSync(join(work, "state", "pfhost", "console-password"), "utf8");
    assert(pw.startsWith("$argon2id$"), "the password is stored as an argon2id hash");
  });

  await step("dashboard: host, codecs with reasons, ports; accessible; fits 360 px", async () => {
    await page.getByTestId("hostname").waitFor();
    await page.getByText("not offered").first().waitFor();
    await page.getByText(String(ports.rtsp)).first().waitFor();
    await axe("dashboard");
    await fits360("dashboard");
    // Light and dark follow the system; both keep their contrast.
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await bg();
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await bg();
    assert(light !== dark, `the dark scheme changes the page (${light} vs ${dark})`);
    await axe("dashboard (dark)");
    await page.emulateMedia({ colorScheme: "light" });
  });

  await step("keyboard: skip link, then the pages by Tab and Enter", async () => {
    await page.reload();
    await page.getByTestId("hostname").waitFor();
    await page.keyboard.press("Tab");
    const active = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
    assert((await active()) === "Skip to content", `first Tab reaches ${await active()}`);
    let label = "";
    for (let i = 0; i < 8 && label !== "Apps"; i++) {
      await page.keyboard.press("Tab");
      label = await active();
    }
    assert(label === "Apps", "Tab reaches the Apps link");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Apps" }).waitFor();
    const focused = await page.evaluate(() => document.activeElement?.id);
    assert(focused === "main", `after navigating, focus is on the content (${focused})`);
    await gotoPage("Dashboard");
  });

  await step("a forged request without the CSRF token is refused", async () => {
    const forged = await page.evaluate(async () => {
      const r = await fetch("/api/v1/apps", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: "Forged" }),
      });
      return r.status;
    });
    assert(forged === 403, `POST without X-CSRF-Token got ${forged}`);
    const cookie = (await context.cookies()).find((x) => x.name === "pf_session");
    const wrong = await raw(
      "POST",
      "/api/v1/apps",
      { Cookie: `pf_session=${cookie.value}`, "X-CSRF-Token": "0".repeat(64), "Content-Type": "application/json" },
      JSON.stringify({ name: "Forged" }),
    );
    assert(wrong.status === 403, `wrong token got ${wrong.status}`);
    const cross = await raw("GET", "/api/v1/apps", { Cookie: `pf_session=${cookie.value}`, Origin: "http://evil.example" });
    assert(cross.status === 403, `cross-origin got ${cross.status}`);
    const apps = JSON.parse((await raw("GET", "/api/v1/apps", { Cookie: `pf_session=${cookie.value}` })).body);
    assert(!apps.apps.some((a) => a.name === "Forged"), "nothing forged was added");
  });

  const idA = join(work, "client-a");
  const idB = join(work, "client-b");
  mkdirSync(idA);
  mkdirSync(idB);
  await step("pairing: two clients wait; each PIN typed in the page reaches only its own client", async () => {
    await gotoPage("Pairing");
    await page.getByTestId("no-attempts").waitFor();
    await axe("pairing");
    const pinA = String(1000 + Math.floor(Math.random() * 4000));
    const pinB = String(5000 + Math.floor(Math.random() * 4000));
    const rows = page.getByTestId("pairing-attempt");
    const a = gs(["pair", String(ports.http), String(ports.https), idA, pinA, "A1A1A1A1A1A1A1A1"]);
    await rows.first().waitFor({ timeout: 20000 });
    const b = gs(["pair", String(ports.http), String(ports.https), idB, pinB, "B2B2B2B2B2B2B2B2"]);
    await waitFor(async () => (await rows.count()) === 2, "the second attempt to appear", 20000);
    await rows.first().getByText(/from 127\.0\.0\.1, waiting \d+ s/).waitFor();
    await axe("pairing with two attempts");
    // The newer attempt (B) gets its PIN first; the older one (A) must not take it.
    const inputB = rows.nth(1).getByRole("textbox");
    await inputB.fill("12");
    await rows.nth(1).getByRole("button", { name: "Pair" }).click();
    await rows.nth(1).getByText("four digits").waitFor();
    await inputB.fill(pinB);
    await inputB.press("Enter");
    const codeB = await Promise.race([b.done, sleep(30000).then(() => "timeout")]);
    assert(codeB === 0, `client B not paired (${codeB}): ${b.out}`);
    assert(a.exitCode === null, `client A ended early: ${a.out}`);
    await waitFor(async () => (await rows.count()) === 1, "B's attempt to leave the list");
    const inputA = rows.first().getByRole("textbox");
    await inputA.fill(pinA);
    await inputA.press("Enter");
    const codeA = await Promise.race([a.done, sleep(30000).then(() => "timeout")]);
    assert(codeA === 0, `client A not paired (${codeA}): ${a.out}`);
    await page.getByTestId("no-attempts").waitFor();
  });

  await step("clients: the paired client is listed with kind and dates; rename", async () => {
    await gotoPage("Clients");
    const row = page.getByTestId("client-row");
    await row.first().waitFor();
    assert((await row.count()) === 2, "two clients");
    await row.first().getByText("moonlight").waitFor();
    await axe("clients");
    await fits360("clients");
    // Client B paired first, so it is listed first.
    const first = row.first();
    await first.getByRole("button", { name: /^Rename/ }).click();
    await first.getByLabel("New name").fill("");
    await first.getByRole("button", { name: "Save" }).click();
    await first.getByText("1 to 64 characters").waitFor();
    await first.getByLabel("New name").fill("Living room");
    await first.getByRole("button", { name: "Save" }).click();
    await first.getByText("Living room").waitFor();
  });

  let streamer;
  await step("dashboard: a live session from the in-repo client with its figures changing", async () => {
    streamer = gs(["stream", String(ports.http), String(ports.https), String(rtsp), idB, "25"]);
    await gotoPage("Dashboard");
    const session = page.getByTestId("session").first();
    await session.waitFor({ timeout: 20000 });
    await session.getByText("Living room").waitFor();
    const frames = session.getByTestId("frames-sent");
    await frames.waitFor({ timeout: 20000 });
    const first = Number(await frames.textContent());
    await waitFor(async () => Number(await frames.textContent()) > first + 10, "frames-sent to grow", 15000);
    await waitFor(async () => (await session.locator("canvas").count()) >= 2, "the charts", 10000);
    const br = Number(await session.getByTestId("bitrate").textContent());
    assert(br > 0, `bitrate ${br}`);
    // The host keeps the figures: a fresh page shows the past seconds at once.
    const cookie = (await context.cookies()).find((x) => x.name === "pf_session");
    const hist = JSON.parse((await raw("GET", "/api/v1/session-history", { Cookie: `pf_session=${cookie.value}` })).body);
    const samples = hist.sessions[0]?.samples ?? [];
    assert(samples.length >= 2, `${samples.length} history samples`);
    assert(samples[samples.length - 1].frames_sent > samples[0].frames_sent, "frames_sent grows between samples");
    await page.reload();
    await waitFor(async () => (await page.getByTestId("session").first().locator("canvas").count()) >= 2, "charts after reload", 4000);
    await axe("dashboard with a session");
    await fits360("dashboard with a session");
  });

  await step("apps: add, edit, reorder, box art, delete", async () => {
    await gotoPage("Apps");
    await axe("apps");
    await page.getByRole("button", { name: "Add an app" }).click();
    await page.getByRole("button", { name: "Add app" }).click();
    await page.locator("#app-new-name-error", { hasText: "needs a name" }).waitFor();
    await page.fill("#app-new-name", "Console Game");
    await page.fill("#app-new-cmd", "sleep 100");
    await page.fill("#app-new-prep", "true | true");
    await page.getByRole("button", { name: "Add app" }).click();
    const row = page.getByTestId("app-row").filter({ hasText: "Console Game" });
    await row.waitFor();
    await row.getByRole("button", { name: "Edit Console Game" }).click();
    const form = page.getByRole("form", { name: "Edit Console Game" });
    await form.getByLabel("Name").fill("Console Game 2");
    await form.getByRole("button", { name: "Save" }).click();
    const row2 = page.getByTestId("app-row").filter({ hasText: "Console Game 2" });
    await row2.waitFor();
    await row2.getByRole("button", { name: "Move Console Game 2 up" }).click();
    await waitFor(async () => (await page.getByTestId("app-row").first().textContent()).includes("Console Game 2"), "reorder");
    const file = join(work, "art.png");
    writeFileSync(file, png(60, 80));
    await row2.locator('input[type="file"]').setInputFiles(file);
    writeFileSync(join(work, "not.png"), "GIF89a not a png");
    await row2.locator('input[type="file"]').setInputFiles({ name: "x.gif", mimeType: "image/gif", buffer: Buffer.from("GIF89a") });
    await row2.getByText("must be a PNG").waitFor();
    const cookie = (await context.cookies()).find((x) => x.name === "pf_session");
    const apps = JSON.parse((await raw("GET", "/api/v1/apps", { Cookie: `pf_session=${cookie.value}` })).body).apps;
    await waitFor(async () => {
      const a = JSON.parse((await raw("GET", "/api/v1/apps", { Cookie: `pf_session=${cookie.value}` })).body).apps[0];
      return a["image-path"] && readFileSync(a["image-path"]).equals(png(60, 80));
    }, "the box art on disk");
    assert(apps[0].name === "Console Game 2" && apps[0]["prep-cmd"][0].undo === "true", "catalog order and fields");
    // Sizes: 1.5 MiB goes through, more than 2 MiB is refused.
    const csrf = JSON.parse((await raw("GET", "/api/v1/auth", { Cookie: `pf_session=${cookie.value}` })).body).csrf;
    const up = (body) =>
      raw("PUT", `/api/v1/apps/${apps[0].id}/boxart`, { Cookie: `pf_session=${cookie.value}`, "X-CSRF-Token": csrf, "Content-Type": "image/png" }, body);
    assert((await up(png(64, 64, 1536 * 1024))).status === 200, "a 1.5 MiB PNG is taken");
    assert((await up(png(64, 64, 2200 * 1024))).status === 413, "a 2.2 MiB PNG is refused");
    await row2.getByRole("button", { name: "Delete Console Game 2" }).click();
    await row2.getByRole("button", { name: "Really delete Console Game 2" }).click();
    await waitFor(async () => (await page.getByTestId("app-row").filter({ hasText: "Console Game 2" }).count()) === 0, "delete");
  });

  await step("apps: import a Sunshine apps.json, with what was skipped and why", async () => {
    const sunshine = {
      env: { PATH: "$(PATH):$(HOME)/.local/bin" },
      apps: [
        { name: "Desktop", "image-path": "desktop.png" },
        { name: "Steam Big Picture", detached: ["setsid steam steam://open/bigpicture"], "image-path": "steam.png", "auto-detach": "true" },
        { name: "Low Res Desktop", "prep-cmd": [{ do: "xrandr --output HDMI-1 --mode 1920x1080", undo: "xrandr --output HDMI-1 --mode 1920x1200" }] },
        { cmd: "no-name-app" },
      ],
    };
    const file = join(work, "apps.json");
    writeFileSync(file, JSON.stringify(sunshine));
    await page.locator("#import-file").setInputFiles(file);
    const res = page.getByTestId("import-result");
    await res.getByText("Imported 2, skipped 2.").waitFor();
    await res.getByText("already in the catalog").waitFor();
    await res.getByText('"name" is required').waitFor();
    await res.getByText("default box art").waitFor();
    await page.getByTestId("app-row").filter({ hasText: "Steam Big Picture" }).waitFor();
    await fits360("apps");
  });

  await step("settings: validated next to the field, saved to pfhost.conf, restart flagged", async () => {
    await gotoPage("Settings");
    await page.locator("#set-http_port").waitFor();
    await axe("settings");
    await fits360("settings");
    await page.fill("#set-http_port", "99999");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.locator("#set-http_port-error", { hasText: "0 to 65535" }).waitFor();
    // Every key `pfhost help config` documents has its field, in the same order.
    const keys = [...execFileSync(pfhostBin, ["help", "config"], { encoding: "utf8" }).matchAll(/^  (\w+) = /gm)].map((m) => m[1]);
    const ids = await page.locator(".field [id^='set-']:is(input, select)").evaluateAll((els) => els.map((e) => e.id.slice(4)));
    assert(keys.length > 20 && JSON.stringify(ids) === JSON.stringify(keys), `fields ${ids} vs keys ${keys}`);
    assert((await page.locator("#set-vdisplay option[value='weston']").count()) === 1, "vdisplay lists its backends");
    await page.fill("#set-http_port", "0");
    await page.fill("#set-pin_wait", "45");
    await page.fill("#set-connect_timeout", "60");
    await page.selectOption("#set-hevc", "no");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByTestId("settings-saved").getByText("Restart pfhost").waitFor();
    const conf = readFileSync(join(cfgDir, "pfhost.conf"), "utf8");
    assert(/^pin_wait = 45$/m.test(conf) && /^hevc = no$/m.test(conf), `pfhost.conf: ${conf}`);
    assert(/^connect_timeout = 60$/m.test(conf), `pfhost.conf: ${conf}`);
    assert(conf.startsWith("# console test"), "comments are kept");
    assert(/^rtsp_port = \d+$/m.test(conf), "other keys are kept");
  });

  await step("settings: a live key takes effect in the running host, and null restores it", async () => {
    const auth = { Authorization: `Bearer ${readFileSync(runtime.token_file, "utf8").trim()}`, "Content-Type": "application/json" };
    const host = { Host: `console.example:${new URL(base).port}` };
    assert((await raw("GET", "/api/v1/auth", host)).status === 403, "an unlisted name is refused");
    const put = async (v) => raw("PUT", "/api/v1/settings", auth, JSON.stringify({ values: { api_hosts: v } }));
    const on = await put("console.example");
    assert(on.status === 200 && JSON.parse(on.body).applied.includes("api_hosts"), `PUT api_hosts: ${on.status} ${on.body}`);
    assert((await raw("GET", "/api/v1/auth", host)).status === 200, "the new name works without a restart");
    assert((await put(null)).status === 200, "api_hosts back to its default");
    assert((await raw("GET", "/api/v1/auth", host)).status === 403, "and is refused again");
  });

  await step("settings: the console password is changed (the current one is checked)", async () => {
    await page.fill("#pw-cur", "not it at all");
    await page.fill("#pw-pw", PASSWORD2);
    await page.fill("#pw-again", PASSWORD2);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.locator("#pw-cur-error", { hasText: "not the current password" }).waitFor();
    await page.fill("#pw-cur", PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByTestId("password-changed").getByText("Password changed").waitFor();
    // This browser keeps working with its new session and CSRF token.
    await page.fill("#set-pin_ttl", "50");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByTestId("settings-saved").getByText("pin_ttl").waitFor();
  });

  await step("logs: live tail with level filter and search", async () => {
    await gotoPage("Logs");
    const lines = page.getByTestId("log-lines");
    await lines.getByText("settings changed").first().waitFor();
    await axe("logs");
    await fits360("logs");
    await page.fill("#log-search", "paired");
    await lines.getByText(/client [0-9a-f]{16} .* paired/).first().waitFor();
    assert(!(await lines.textContent()).includes("settings changed"), "search filters");
    await page.fill("#log-search", "");
    await page.selectOption("#log-level", "error");
    await waitFor(async () => !(await lines.textContent()).includes("settings changed"), "level filter");
  });

  await step("clients: unpair", async () => {
    await gotoPage("Clients");
    const row = page.getByTestId("client-row").filter({ hasText: "Living room" });
    await row.getByRole("button", { name: "Unpair Living room" }).click();
    await row.getByRole("button", { name: "Really unpair Living room" }).click();
    await waitFor(async () => (await page.getByTestId("client-row").count()) === 1, "one client left");
    const cookie = (await context.cookies()).find((x) => x.name === "pf_session");
    const left = JSON.parse((await raw("GET", "/api/v1/clients", { Cookie: `pf_session=${cookie.value}` })).body);
    assert(left.clients.length === 1 && left.clients[0].name !== "Living room", "the store forgot the client");
    const code = await Promise.race([streamer.done, sleep(10000).then(() => "still streaming")]);
    assert(code !== "still streaming", "unpairing ended the client's stream");
  });

  await step("logout ends the session; the old cookie no longer works", async () => {
    const old = (await context.cookies()).find((x) => x.name === "pf_session").value;
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByText("Log in to manage this host").waitFor();
    assert((await raw("GET", "/api/v1/status", { Cookie: `pf_session=${old}` })).status === 401, "old session dead");
    await axe("login page");
    await fits360("login page");
  });

  await step("login: the old password is refused next to the field, the new one logs in", async () => {
    await page.fill("#password", PASSWORD);
    await page.keyboard.press("Enter");
    await page.locator("#password-error", { hasText: "Wrong password" }).waitFor();
    await page.fill("#password", PASSWORD2);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
  });

  await step("login attempts are limited per address", async () => {
    let last;
    for (let i = 0; i < 6; i++)
      last = await raw("POST", "/api/v1/auth/login", { "Content-Type": "application/json" }, JSON.stringify({ password: "guess guess" }));
    assert(last.status === 429 && last.headers["retry-after"], `after 6 wrong passwords: ${last.status}`);
  });

  await step("the page runs under the CSP without violations", async () => {
    assert(cspViolations.length === 0, cspViolations.join("\n"));
  });

  await step("a stopped host is reported as unreachable", async () => {
    host.kill("SIGTERM");
    await new Promise((r) => host.on("exit", r));
    await page.getByTestId("unreachable").waitFor({ timeout: 20000 });
  });
}

let failed = false;
try {
  await main();
} catch {
  failed = true;
} finally {
  await context?.close().catch(() => undefined);
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  console.log(`1..${results.length}`);
  if (failed) console.log(`# artefacts in ${artifacts}; work directory ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
process.exit(failed || results.some(([ok]) => !ok) ? 1 : 0);
