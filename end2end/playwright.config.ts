import { defineConfig } from "@playwright/test";

// Atrium's browser tests run the release server (built by `cargo leptos build --release`) on a
// fresh SQLite database with demo content, in Debian's Chromium, with JavaScript on and off.
// The "microsoft" project runs a second Atrium in Microsoft mode against the local Microsoft
// simulator (test support: `cargo build -p graphsim`).
const port = Number(process.env.ATRIUM_E2E_PORT ?? 3100);
const msPort = port + 2;
const simPort = port + 801;
const stamp = Date.now();
const dataDir = process.env.ATRIUM_E2E_DATA ?? `../target/e2e-data-${stamp}`;
const msDataDir = `${dataDir}-microsoft`;
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: chromium,
  },
  projects: [
    { name: "js", use: { javaScriptEnabled: true }, testIgnore: /microsoft\.spec/ },
    { name: "no-js", use: { javaScriptEnabled: false }, testIgnore: /microsoft\.spec/ },
    {
      name: "microsoft",
      testMatch: /microsoft\.spec/,
      use: { javaScriptEnabled: true, baseURL: `http://localhost:${msPort}` },
    },
  ],
  webServer: [
    {
      command: `rm -rf ${dataDir} && ../target/release/server`,
      url: `http://localhost:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: "../target/site",
        ATRIUM_DATA_DIR: dataDir,
        ATRIUM_PUBLIC_URL: `http://localhost:${port}`,
        ATRIUM_DEMO: "1",
        // Every browser test comes from 127.0.0.1; the per-address limits are tested in Rust.
        ATRIUM_REGISTRATIONS_PER_ADDRESS: "100000",
        RUST_LOG: "warn",
      },
    },
    {
      command: `../target/debug/graphsim 127.0.0.1:${simPort}`,
      url: `http://127.0.0.1:${simPort}/_sim/state`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: `rm -rf ${msDataDir} && ../target/release/server`,
      url: `http://localhost:${msPort}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        LEPTOS_SITE_ADDR: `127.0.0.1:${msPort}`,
        LEPTOS_SITE_ROOT: "../target/site",
        ATRIUM_DATA_DIR: msDataDir,
        ATRIUM_PUBLIC_URL: `http://localhost:${msPort}`,
        ATRIUM_DEMO: "1",
        ATRIUM_GRAPH_TENANT_ID: "11111111-2222-3333-4444-555555555555",
        ATRIUM_GRAPH_CLIENT_ID: "sim-client",
        ATRIUM_GRAPH_CLIENT_SECRET: "sim-secret-value",
        ATRIUM_GRAPH_BASE_URL: `http://127.0.0.1:${simPort}`,
        ATRIUM_LOGIN_BASE_URL: `http://127.0.0.1:${simPort}`,
        ATRIUM_SECRET_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        RUST_LOG: "warn",
      },
    },
  ],
});
