import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

// Every public page passes axe's WCAG 2.1 A/AA rules. axe runs as a script in the page, so it
// runs in the JavaScript project only; the markup it checks is the same server-rendered HTML
// that the no-JavaScript project gets.
for (const path of ["/", "/events/building-for-teams-2026", "/events/office-hours-december", "/no-such-page", "/login", "/book/contoso-advisory"]) {
  test(`no accessibility violations on ${path}`, async ({ page }) => {
    test.skip(test.info().project.name !== "js", "axe needs JavaScript in the page");
    await page.goto(path);
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  });
}

test("the registration form can be completed with the keyboard alone", async ({ page }) => {
  await page.goto("/events/office-hours-december");
  if (test.info().project.name === "js") {
    await expect(page.locator("form.registration[data-ready=true]")).toBeVisible();
  }
  await page.getByLabel("First name").focus();
  await page.keyboard.type("Key");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Board");
  await page.keyboard.press("Tab");
  await page.keyboard.type(`key.${Date.now()}@example.com`);
  await page.keyboard.press("Tab");
  await page.keyboard.type("Shortcuts");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/r\/.+\?new=1$/);
});
