import type { Page } from "@playwright/test";

/** Counts what the page fetches from now on: bytes (bodies and headers) and the URLs. */
export function weigh(page: Page): { bytes: () => number; urls: string[] } {
  let bytes = 0;
  const urls: string[] = [];
  page.on("requestfinished", async (request) => {
    const sizes = await request.sizes();
    bytes += sizes.responseBodySize + sizes.responseHeadersSize;
    urls.push(request.url());
  });
  return { bytes: () => bytes, urls };
}
