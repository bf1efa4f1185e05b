import { defineConfig } from "@playwright/test";

// Atrium's browser tests run the release server (built by `cargo leptos build --release`) on a
// fresh SQLite database with demo content, in Debian's Chromium, with JavaScript on and off.
const port = Number(process.env.ATRIUM_E2E_PORT ?? 3100);
const dataDir = process.env.ATRIUM_E2E_DATA ?? `../target/e2e-data-${Date.now()}`;

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
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "js", use: { javaScriptEnabled: true } },
    { name: "no-js", use: { javaScriptEnabled: false } },
  ],
  webServer: {
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
      RUST_LOG: "warn",
    },
  },
});
