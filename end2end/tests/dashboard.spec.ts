import { test, expect } from "@playwright/test";

// An organizer's whole path through the dashboard, with JavaScript on and off: sign in, create
// an event with questions, publish, approve a registrant who signed up in another browser,
// export CSV, cancel the event, sign out.
test("organizer creates, publishes, approves, exports, cancels and signs out", async ({ page, browser }, info) => {
  const slug = `e2e-${info.project.name}-${Date.now()}`;
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login\?next=%2Fdashboard$/);
  await page.getByLabel("Email").fill("organizer@example.com");
  await page.getByLabel("Password").fill("atrium-demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Events" })).toBeVisible();

  await page.getByRole("link", { name: "New event" }).click();
  await page.getByLabel("Title", { exact: true }).fill("Customer advisory board");
  await page.getByLabel("Address", { exact: true }).fill(slug);
  await page.getByLabel("Summary", { exact: true }).fill("Invite-only session");
  await page.getByLabel("Kind", { exact: true }).selectOption("meeting");
  await page.getByLabel("Starts", { exact: true }).fill("2031-06-02T15:00");
  await page.getByLabel("Ends", { exact: true }).fill("2031-06-02T16:00");
  await page.getByLabel("Time zone", { exact: true }).selectOption("Europe/London");
  await page.getByLabel("Capacity", { exact: true }).fill("20");
  await page.getByLabel("Approve each registration").check();
  await page.getByRole("checkbox", { name: "Job title" }).check();
  await page.getByLabel("Question 1").fill("Which product do you use?");
  await page.getByLabel("Answer type 1").selectOption("singleChoice");
  await page.getByLabel("Choices 1").fill("Atrium Cloud; Atrium Server");
  await page.getByLabel("Required 1").check();
  await page.getByRole("button", { name: "Create draft" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Customer advisory board");
  await expect(page.locator(".kind").first()).toHaveText("draft");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("status")).toContainText("Published");

  // An attendee registers in a browser of their own.
  const attendee = await browser.newContext({ javaScriptEnabled: info.project.name === "js" });
  const a = await attendee.newPage();
  await a.goto(`/events/${slug}`);
  if (info.project.name === "js") await expect(a.locator("form.registration[data-ready=true]")).toBeVisible();
  await a.getByLabel("First name").fill("Alex");
  await a.getByLabel("Last name").fill("Attendee");
  await a.getByLabel("Email").fill(`alex.${slug}@example.com`);
  await a.getByLabel("Which product do you use?").selectOption("Atrium Server");
  await a.getByRole("button", { name: "Request to attend" }).click();
  await expect(a.getByRole("status").first()).toContainText("awaiting the organizer's approval");
  await attendee.close();

  await page.reload();
  const row = page.getByRole("row", { name: /Alex Attendee/ });
  await expect(row).toContainText("pendingApproval");
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("status")).toContainText("now registered");
  await expect(page.getByRole("row", { name: /Alex Attendee/ })).toContainText("registered");

  const csv = await page.request.get(`/dashboard/events/${slug}/registrations.csv`);
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text.split("\r\n")[0]).toContain("Which product do you use?");
  expect(text).toContain("Atrium Server");

  await page.getByText("Cancel this event").click();
  await page.getByLabel("Message to everyone registered, waiting or pending").fill("We'll reschedule soon.");
  await page.getByRole("button", { name: "Cancel event and notify registrants" }).click();
  await expect(page.locator(".kind").first()).toHaveText("canceled");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);
});
