// The console is built into the directory pfhost serves (meson passes it as --outDir).
// Two pages: login.html (small, no React, served to anybody) and index.html (the app, served
// only with a session). public.txt lists the files the login page needs, so pfhost can serve
// exactly those before login.
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

type ManifestEntry = { file: string; css?: string[]; assets?: string[]; imports?: string[] };

function publicList(): Plugin {
  let outDir = "";
  return {
    name: "punktfunk-public-list",
    configResolved(c) {
      outDir = c.build.outDir;
    },
    closeBundle() {
      const mpath = join(outDir, ".vite", "manifest.json");
      const manifest = JSON.parse(readFileSync(mpath, "utf8")) as Record<string, ManifestEntry>;
      const files = new Set<string>();
      const visit = (key: string) => {
        const e = manifest[key];
        if (!e || files.has(e.file)) return;
        files.add(e.file);
        e.css?.forEach((f) => files.add(f));
        e.assets?.forEach((f) => files.add(f));
        e.imports?.forEach(visit);
      };
      visit("login.html");
      files.delete("login.html");
      writeFileSync(join(outDir, "public.txt"), [...files, "favicon.svg"].sort().join("\n") + "\n");
      rmSync(join(outDir, ".vite"), { recursive: true, force: true });
    },
  };
}

export default defineConfig({
  plugins: [react(), publicList()],
  base: "/",
  build: {
    manifest: true,
    sourcemap: false,
    // No inline scripts or data: modules: the CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: "es2020",
    rollupOptions: {
      input: { index: resolve(__dirname, "index.html"), login: resolve(__dirname, "login.html") },
    },
  },
});
