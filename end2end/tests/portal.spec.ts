import { test, expect, type Page, type APIRequestContext } from "@playwright/test";
import { weigh } from "./weight";

// The attendee's path through the portal. Every test runs twice: with JavaScript (hydrated
// islands, JSON API) and without (plain form posts), and must behave the same for the person.

const WEBINAR = "/events/building-for-teams-2026";
const MEETING = "office-hours-december";

let counter = 0;
function uniqueEmail(tag: string): string {
  counter += 1;
  return `${tag}.${Date.now()}.${counter}@example.com`;
}

/** With JavaScript, waits until the form island is hydrated so the JS path is what's tested. */
async function ready(page: Page) {
  if (test.info().project.name === "js") {
    await expect(page.locator("form.registration[data-ready=true]")).toBeVisible();
  }
}

async function fillWebinarForm(page: Page, email: string) {
  await ready(page);
  await page.getByLabel("First name").fill("Ada");
  await page.getByLabel("Last name").fill("Lovelace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Organization").fill("Analytical Engines");
  await page.getByLabel("How did you hear about us?").selectOption("A colleague");
  await page.getByLabel("Calling").check();
  await page.getByRole("checkbox", { name: /I agree to the/ }).check();
}

async function fillMeeting(request: APIRequestContext) {
  // Fill every remaining seat so the next person lands on the waitlist.
  for (;;) {
    const event = await (await request.get(`/api/v1/events/${MEETING}`)).json();
    if (event.seatsLeft === 0) return event;
    const questionId = event.questions[0].id;
    const r = await request.post(`/api/v1/events/${MEETING}/registrations`, {
      data: {
        firstName: "Seat", lastName: "Filler", email: uniqueEmail("filler"), preferredTimezone: "America/New_York",
        answers: [{ questionId, value: "Filling seats" }],
      },
    });
    expect(r.status()).toBe(201);
  }
}

test("register, see the confirmation, and cancel through the manage link", async ({ page }, info) => {
  const serverCalls: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/api/") || path.startsWith("/rpc/")) serverCalls.push(r.method() + " " + path);
  });
  await page.goto(WEBINAR);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Building for Microsoft Teams in 2026");
  await expect(page.getByText("Online webinar in Microsoft Teams")).toBeVisible();
  await fillWebinarForm(page, uniqueEmail("ada"));
  await page.getByRole("button", { name: "Register" }).click();

  await expect(page).toHaveURL(/\/r\/[A-Za-z0-9_-]+\?new=1$/);
  await expect(page.getByRole("status").first()).toContainText("You're registered!");
  await expect(page.getByRole("link", { name: "Join the event" })).toBeVisible();
  await expect(page.getByText("Analytical Engines")).toBeVisible();
  // With JavaScript the island registers through its server function; without, the form posts.
  expect(serverCalls).toEqual(info.project.name === "js" ? ["POST /rpc/register"] : []);
  const ics = await page.request.get(page.url().replace("?new=1", "/invite.ics"));
  expect(ics.headers()["content-type"]).toContain("text/calendar");
  expect(await ics.text()).toContain("SUMMARY:Building for Microsoft Teams in 2026");

  await page.getByRole("button", { name: "Cancel my registration" }).click();
  await expect(page).toHaveURL(/\?canceled=1$/);
  await expect(page.getByText("Your registration is canceled.").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel my registration" })).toHaveCount(0);
});

test("problems are shown next to their fields and nothing typed is lost", async ({ page }) => {
  await page.goto(WEBINAR);
  await fillWebinarForm(page, "ada@nowhere");
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByText("Please enter an email address like name@example.com.")).toBeVisible();
  // The field is marked, described by its problem, and has the focus; the others are not marked.
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription("Please enter an email address like name@example.com.");
  if (test.info().project.name === "js") await expect(page.getByLabel("Email")).toBeFocused();
  await expect(page.getByLabel("First name")).toHaveAttribute("aria-invalid", "false");
  await expect(page.getByLabel("Email")).toHaveValue("ada@nowhere");
  await expect(page.getByLabel("Organization")).toHaveValue("Analytical Engines");
  await expect(page.getByLabel("First name")).toHaveValue("Ada");
  // Fixing the field completes the registration.
  await page.getByLabel("Email").fill(uniqueEmail("fixed"));
  if (!(await page.getByRole("checkbox", { name: /I agree to the/ }).isChecked())) {
    await page.getByRole("checkbox", { name: /I agree to the/ }).check();
  }
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page).toHaveURL(/\/r\/.+\?new=1$/);
});

test("a full event puts the next person on the waitlist at their position", async ({ page, request }) => {
  const before = await fillMeeting(request);
  await page.goto(`/events/${MEETING}`);
  await ready(page);
  await expect(page.getByRole("button", { name: "Join the waitlist" })).toBeVisible();
  await page.getByLabel("First name").fill("Grace");
  await page.getByLabel("Last name").fill("Hopper");
  await page.getByLabel("Email").fill(uniqueEmail("grace"));
  await page.getByLabel("What would you like to discuss?").fill("Compilers");
  await page.getByRole("button", { name: "Join the waitlist" }).click();
  await expect(page).toHaveURL(/\/r\/.+\?new=1$/);
  await expect(page.getByRole("status").first()).toContainText(`waitlist at position ${before.waitlistedCount + 1}`);
});

test("times follow the visitor's time zone and can be switched", async ({ browser }, info) => {
  const context = await browser.newContext({ timezoneId: "Asia/Tokyo", javaScriptEnabled: info.project.name === "js" });
  const page = await context.newPage();
  await page.goto(WEBINAR);
  if (info.project.name === "js") {
    // Hydrated: the browser's zone is detected and used, for display and for the registration.
    await expect(page.locator(".when .zone-name")).toHaveText("Asia/Tokyo");
    await expect(page.locator('input[name="preferredTimezone"]')).toHaveValue("Asia/Tokyo");
  } else {
    await expect(page.locator(".when .zone-name")).toHaveText("Europe/Berlin");
  }
  await page.getByLabel("Show times in").selectOption("America/New_York");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.locator(".when time")).toContainText(/\((EST|EDT)\)/);
  await expect(page.locator(".when .zone-name")).toHaveText("America/New_York");
  await context.close();
});

test("the event page's first load stays within its weight budget", async ({ page }, info) => {
  test.skip(info.project.name !== "js", "weighs the hydrated page");
  const load = weigh(page);
  await page.goto(WEBINAR, { waitUntil: "networkidle" });
  await expect(page.locator('input[name="preferredTimezone"]')).toHaveValue(/.+/);
  await page.waitForTimeout(500);
  expect(load.urls.some((u) => u.endsWith(".wasm"))).toBe(true);
  // The booking picker's code is split off and not loaded here.
  expect(load.urls.filter((u) => u.includes("day_and_times"))).toEqual([]);
  console.log(`event page first load: ${load.bytes()} bytes over ${load.urls.length} requests`);
  expect(load.bytes()).toBeLessThanOrEqual(150_000);
});
