import { test, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

// Microsoft mode end to end, against the local Microsoft simulator: the organizer signs in with
// their password, links their Microsoft account, signs out and back in with Microsoft, connects
// the service account, publishes a webinar that Atrium creates in Teams, and an attendee's
// registration reaches Teams — never on the attendee's request.
const simPort = Number(process.env.ATRIUM_E2E_PORT ?? 3100) + 801;
const sim = `http://127.0.0.1:${simPort}`;

async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

test("organizer links Microsoft, signs in with it, connects Teams, publishes a webinar that reaches Teams", async ({ page, browser, request }) => {
  const slug = `teams-${Date.now()}`;
  // Microsoft will sign in the demo organizer's account.
  const who = await request.post(`${sim}/_sim/user`, {
    data: { oid: "oid-demo-organizer", upn: "organizer@example.com", name: "Demo Organizer" },
  });
  expect(who.status()).toBe(204);

  await page.goto("/login");
  await expectAccessible(page);
  // A Microsoft account nobody linked signs nobody in, whatever email it carries.
  await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
  await expect(page.getByRole("alert")).toContainText("is not linked to an organizer account here");
  await expectAccessible(page);

  // Signed in with the password, the organizer links their Microsoft account.
  await page.getByLabel("Email").fill("organizer@example.com");
  await page.getByLabel("Password").fill("atrium-demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Events" })).toBeVisible();
  await page.getByRole("link", { name: "Microsoft 365" }).click();
  await expect(page.locator("[data-sign-in=microsoft]")).toContainText("Not linked");
  await page.getByRole("button", { name: "Link Microsoft account" }).click();
  await expect(page.getByRole("status")).toContainText("Linked: you can now sign in with this Microsoft account.");
  await expect(page.getByRole("button", { name: "Unlink Microsoft account" })).toBeVisible();
  await expectAccessible(page);

  // Signed out, they sign in with Microsoft.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
  await expect(page.getByRole("heading", { name: "Events" })).toBeVisible();

  await page.getByRole("link", { name: "Microsoft 365" }).click();
  await page.locator("[data-account=service]").getByRole("button", { name: "Connect Microsoft 365" }).click();
  await expect(page.getByRole("status")).toContainText("Connected.");
  await expect(page.locator("[data-account=service]")).toContainText("organizer@example.com");
  await page.getByRole("button", { name: "Check now" }).click();
  await expect(page.locator(".checks")).toContainText("the app has its application permissions");
  await expectAccessible(page);

  await page.goto("/dashboard");
  await page.getByRole("link", { name: "New event" }).click();
  await page.getByLabel("Title", { exact: true }).fill("Teams launch webinar");
  await page.getByLabel("Address", { exact: true }).fill(slug);
  await page.getByLabel("Summary", { exact: true }).fill("Held in Microsoft Teams");
  await page.getByLabel("Kind", { exact: true }).selectOption("webinar");
  await page.getByLabel("Starts", { exact: true }).fill("2031-09-02T15:00");
  await page.getByLabel("Ends", { exact: true }).fill("2031-09-02T16:00");
  await expect(page.getByLabel("Teams emails attendees their join links")).toBeChecked();
  await page.getByRole("button", { name: "Create draft" }).click();
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("status")).toContainText("Published");

  // The worker creates and publishes the webinar in Teams.
  await expect(async () => {
    await page.reload();
    await expect(page.locator(".teams-status")).toContainText("webinar published");
  }).toPass({ timeout: 20_000 });
  await expectAccessible(page);
  const state = await (await request.get(`${sim}/_sim/state`)).json();
  const webinars = Object.values(state.webinars) as any[];
  const webinar = webinars.find((w) => w.displayName === "Teams launch webinar");
  expect(webinar.status).toBe("published");
  expect(state.organizers[webinar.id]).toBe("organizer@example.com");

  // An attendee registers on Atrium's page; Teams will email the personal join link.
  const attendee = await browser.newContext();
  const a = await attendee.newPage();
  await a.goto(`/events/${slug}`);
  await expect(a.locator("form.registration[data-ready=true]")).toBeVisible();
  await a.getByLabel("First name").fill("Tess");
  await a.getByLabel("Last name").fill("Teams");
  await a.getByLabel("Email").fill(`tess.${slug}@example.com`);
  await a.getByRole("button", { name: "Register" }).click();
  await expect(a.getByRole("status").first()).toContainText("You're registered");
  await expect(a.getByText("Microsoft Teams emails you a personal join link")).toBeVisible();
  await attendee.close();

  await expect(async () => {
    const now = await (await request.get(`${sim}/_sim/state`)).json();
    const regs = (now.registrations[webinar.id] ?? []) as any[];
    expect(regs.map((r) => r.email)).toContain(`tess.${slug}@example.com`);
    expect(regs[0].externalRegistrationInformation.referrer).toBe("Atrium");
  }).toPass({ timeout: 20_000 });
});
