// Opens /docs in headless Chromium, as a person would: every operation of the committed OpenAPI
// document must be listed, Authorize must take a bearer token, and "Try it out" must call the
// running server and show its answer. Keeps a screenshot. Usage:
//   node docs.mjs <base-url> <bearer-token> <openapi.json> <screenshot.png>
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const [base, token, documentPath, screenshot] = process.argv.slice(2);
if (!base || !token || !documentPath || !screenshot) {
  console.error("usage: node docs.mjs <base-url> <bearer-token> <openapi.json> <screenshot.png>");
  process.exit(2);
}
const doc = JSON.parse(readFileSync(documentPath, "utf8"));
const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const expected = Object.values(doc.paths).reduce(
  (n, item) => n + methods.filter((m) => item[m]).length,
  0,
);

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exitCode = 1;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
  const outside = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith("data:")) outside.push(r.url());
  });
  await page.goto(`${base}/docs/`, { waitUntil: "networkidle" });
  await page.waitForSelector(".opblock", { timeout: 30000 });
  const shown = await page.locator(".opblock").count();
  console.log(`operations shown: ${shown}, in the document: ${expected}`);
  if (shown !== expected) fail(`the page shows ${shown} operations, the document has ${expected}`);
  const title = await page.locator(".info .title").first().innerText();
  if (!title.includes(doc.info.title)) fail(`title "${title}" is not the document's "${doc.info.title}"`);

  // Authorize with the token.
  await page.locator("button.authorize").first().click();
  await page.locator(".auth-container input").first().fill(token);
  await page.locator(".auth-btn-wrapper button.authorize").first().click();
  await page.locator("button.btn-done").first().click();

  // Try one call from the page: the caller's children.
  const op = page.locator("#operations-children-list_children");
  await op.locator(".opblock-summary").click();
  const tryIt = op.locator("button.try-out__btn");
  if (await tryIt.count()) {
    const label = await tryIt.innerText();
    if (label.trim() === "Try it out") await tryIt.click();
  }
  await op.locator("button.execute").click();
  const status = op.locator(".live-responses-table tr.response .response-col_status").first();
  await status.waitFor({ timeout: 15000 });
  const code = (await status.innerText()).trim();
  console.log(`GET /v1/children from the page answered ${code}`);
  if (code !== "200") fail(`GET /v1/children from the page answered ${code}, expected 200`);
  const body = await op.locator(".live-responses-table tr.response .response-col_description pre").first().innerText();
  if (!body.includes('"items"')) fail(`the answer shown is not a page of children: ${body.slice(0, 200)}`);
  await page.screenshot({ path: screenshot, fullPage: false });
  console.log(`screenshot: ${screenshot}`);
  if (outside.length) fail(`the page asked for addresses outside the server: ${outside.join(", ")}`);
} finally {
  await browser.close();
}
