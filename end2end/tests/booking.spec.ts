import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

// A customer books a virtual appointment with the demo business and cancels it, with
// JavaScript and without: every step is a plain link or form.

/** A Monday at least three days ahead, as YYYY-MM-DD (the demo business is closed at weekends). */
function nextMonday(): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 3);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

test("book a consultation, then cancel it from its own page", async ({ page }, info) => {
  await page.goto("/book/contoso-advisory");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Book with Contoso Advisory");
  await page.getByRole("link", { name: "Consultation" }).click();
  await page.getByLabel("Day").fill(nextMonday());
  await page.getByLabel("Times shown in").selectOption("America/New_York");
  await page.getByRole("button", { name: "Show times" }).click();
  if (info.project.name === "js") {
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  }
  await page.getByLabel("10:00").check();
  await page.getByLabel("Your name").fill("Grace Hopper");
  await page.getByLabel("Email").fill(`grace.${info.project.name}.${Date.now()}@example.com`);
  await page.getByRole("button", { name: "Book" }).click();
  await expect(page).toHaveURL(/\/appointments\/[^/]+\?booked=1$/);
  await expect(page.getByRole("status")).toContainText("You're booked");
  await expect(page.getByText(/10:00/)).toBeVisible();
  await page.getByRole("button", { name: "Cancel this appointment" }).click();
  await expect(page.getByRole("status")).toContainText("Your appointment is canceled.");
  await expect(page.getByRole("button", { name: "Cancel this appointment" })).toHaveCount(0);
});
