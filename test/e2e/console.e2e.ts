/**
 * The rep console in a real headless Chromium (Debian's, driven by playwright-core; no browser download) against
 * `npm start` on port 8791 with seeded calls (stack.ts, seed.ts). Each screen is photographed into
 * test/e2e/screenshots/ (not committed). Run: `npm run test:e2e` (part of `npm test`).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { SignJWT } from "jose";
import { type Browser, chromium, type Page } from "playwright-core";
import { type FakePeer, peers } from "../../scripts/lib/fake-webrtc";
import { type Seeded, seedCalls, until } from "./seed";
import { ROOT, type Stack, startStack } from "./stack";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = join(ROOT, "test/e2e/screenshots");
const STATE_TIMEOUT = 30_000;

let stack: Stack;
let seeded: Seeded;
let browser: Browser;
let page: Page;
const requested: string[] = [];
const recordingAnswers: { status: number; contentRange: string | null }[] = [];

before(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  mkdirSync(SHOTS, { recursive: true });
  stack = await startStack();
  seeded = await seedCalls(stack);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      // WebRTC host candidates on 127.0.0.1 too, so the loopback call works on a machine with no other interface.
      "--allow-loopback-in-peer-connection",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["microphone"], { origin: stack.base });
  page = await context.newPage();
  page.setDefaultTimeout(STATE_TIMEOUT);
  page.on("request", (r) => requested.push(r.url()));
  page.on("response", (r) => {
    if (r.url().includes("/api/recordings/download/"))
      recordingAnswers.push({ status: r.status(), contentRange: r.headers()["content-range"] ?? null });
  });
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const go = async (hash: string) => {
  await page.goto(`${stack.base}/${hash}`);
};
const rowIds = () =>
  page.locator("tr[data-call-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-call-id")));
async function waitRows(n: number): Promise<(string | null)[]> {
  await page.waitForFunction((count) => document.querySelectorAll("tr[data-call-id]").length === count, n);
  return rowIds();
}
async function applyFilters(values: Record<string, string>) {
  for (const [label, value] of Object.entries(values)) {
    const field = page.getByLabel(label, { exact: true });
    if ((await field.evaluate((el) => el.tagName)) === "SELECT") await field.selectOption(value);
    else await field.fill(value);
  }
  await listLoaded(() => page.getByRole("button", { name: "Apply filters" }).click());
}
/** Runs `action` and waits until the list it asked for is on screen (not the previous one, kept while loading). */
async function listLoaded(action: () => Promise<void>) {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/voice-calls");
  await action();
  await answered;
  await page.waitForFunction(() => !document.querySelector("[aria-busy=true], [role=status] .spinner"));
}
const lastPeer = (): FakePeer | undefined => peers[peers.length - 1];

test("npm start prints the console URL, and the console is served at / with its security headers", async () => {
  assert.equal(stack.consoleUrl, `${stack.base}/`);
  const res = await fetch(stack.consoleUrl, { headers: { Accept: "text/html" } });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<div id="app">/);
  assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  const script = /src="(\/assets\/app-[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, "index.html names its hashed script");
  const js = await fetch(`${stack.base}${script}`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get("cache-control") ?? "", /immutable/);
});

test("the paths the Worker owns always reach it: static assets never answer for them", async () => {
  const navigation = {
    Accept: "text/html,application/xhtml+xml",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Dest": "document",
  };
  const expected: [string, number][] = [
    ["/health", 200],
    ["/api/me", 401],
    ["/api/v1/voice-calls", 401],
    ["/api/TwilioCalls/voice", 404],
    ["/twiml", 404],
    ["/openapi.json", 200],
    ["/no-such-page", 404],
    ["/assets/no-such-file.js", 404],
  ];
  for (const [path, status] of expected) {
    const res = await fetch(`${stack.base}${path}`, { headers: navigation });
    assert.equal(res.status, status, path);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/, `${path} is the Worker's JSON`);
  }
  const stream = await fetch(`${stack.base}/streams/CA${"0".repeat(32)}`, { headers: navigation });
  assert.match(stream.headers.get("content-type") ?? "", /application\/json/, "/streams/* is the Worker's");
  await page.goto(`${stack.base}/api/me`);
  assert.match(await page.locator("body").innerText(), /"error"/);
});

test("sign in: a malformed or unknown token is refused with a message; the rep token signs in", async () => {
  await go("");
  await page.getByRole("heading", { name: "voicedesk console" }).waitFor();
  await shot("sign-in");
  const field = page.getByLabel("Rep token");
  await field.fill("not-a-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "not a JWT" }).waitFor();

  const forged = await new SignJWT({ scope: "voice:read" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(String(stack.demo.repId))
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode("not-the-server-secret-0123456789abcdef"));
  await field.fill(forged);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The Worker's own verdict replaces the local one.
  await page.getByRole("alert").filter({ hasText: "Invalid token" }).waitFor();
  await shot("sign-in-refused");

  await field.fill(seeded.repToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-as").filter({ hasText: "Demo Rep · Demo Customer" }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("voicedesk.repToken")), seeded.repToken);
  assert.ok(!page.url().includes(seeded.repToken));
});

test("calls: the list, every filter, paging, and the error state of a bad filter", async () => {
  await go("#/calls");
  const all = await waitRows(3);
  const inboundIds = seeded.inbound.map((c) => c.id);
  assert.deepEqual(new Set(all), new Set([...inboundIds, seeded.outboundId]));
  await shot("calls");

  await applyFilters({ Direction: "Outbound" });
  assert.deepEqual(await waitRows(1), [seeded.outboundId]);
  assert.match(page.url(), /direction=Outbound/);

  await page.getByRole("link", { name: "Clear" }).click();
  await waitRows(3);
  await applyFilters({ State: "Completed" });
  assert.deepEqual(new Set(await waitRows(2)), new Set(inboundIds));

  // Days from the calls themselves (not the clock), so a run across midnight UTC filters the same way.
  const listed = (await (
    await fetch(`${stack.base}/api/v1/voice-calls`, { headers: { Authorization: `Bearer ${seeded.repToken}` } })
  ).json()) as { items: { id: string; createdAt: string }[] };
  const day = listed.items[0]!.createdAt.slice(0, 10);
  const onDay = listed.items.filter((c) => c.createdAt.startsWith(day)).map((c) => c.id);
  const later = listed.items.reduce((d, c) => (c.createdAt.slice(0, 10) > d ? c.createdAt.slice(0, 10) : d), "");
  const dayAfter = new Date(Date.parse(`${later}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  await page.getByRole("link", { name: "Clear" }).click();
  await waitRows(3);
  await applyFilters({ "From (UTC day)": day, "To (UTC day)": day });
  assert.deepEqual(new Set(await rowIds()), new Set(onDay));
  await applyFilters({ "From (UTC day)": dayAfter, "To (UTC day)": dayAfter });
  await page.getByText("No calls match these filters.").waitFor();

  await page.getByRole("link", { name: "Clear" }).click();
  await waitRows(3);
  await applyFilters({ "Campaign ID": String(seeded.emptyCampaignId) });
  await page.getByText("No calls match these filters.").waitFor();

  await go("#/calls?pageSize=1");
  await page.getByTestId("page-status").filter({ hasText: "Page 1 of 3 · 3 calls" }).waitFor();
  assert.ok(await page.getByRole("button", { name: "Previous" }).isDisabled());
  const first = await waitRows(1);
  await listLoaded(() => page.getByRole("button", { name: "Next" }).click());
  await page.getByTestId("page-status").filter({ hasText: "Page 2 of 3" }).waitFor();
  const second = await waitRows(1);
  assert.notDeepEqual(second, first);

  await go("#/calls?dateFrom=2026-02-30");
  const alert = page.getByRole("alert");
  await alert.filter({ hasText: "dateFrom" }).waitFor();
  await shot("calls-error");
  await page.getByRole("button", { name: "Try again" }).waitFor();
});

test("call detail: the transcript beside a recording that plays, seeks with Range, and follows the transcript", async () => {
  const call = seeded.inbound[0]!;
  await go("#/calls");
  await page.getByRole("link", { name: call.id }).click();
  await page.getByRole("heading", { name: /^Call / }).waitFor();
  await page.getByText(call.said).waitFor();
  await page.getByText(call.replied).first().waitFor();
  assert.equal(await page.locator(".facts .badge.good", { hasText: "positive" }).count(), 1, "sentiment shown");

  const audio = page.locator("audio");
  await audio.waitFor();
  const src = await audio.getAttribute("src");
  assert.match(src ?? "", /\/api\/recordings\/download\/rec_\w+\?exp=\d+&sig=/);
  // (Arrow functions straight in the call: a named helper inside would not survive serialization to the page.)
  await audio.evaluate(
    (a: HTMLAudioElement) =>
      new Promise<void>((resolve, reject) => {
        if (a.readyState >= 3) return resolve();
        a.addEventListener("canplay", () => resolve(), { once: true });
        a.addEventListener("error", () => reject(new Error(`audio error ${a.error?.code}`)), { once: true });
      }),
  );
  const played = await audio.evaluate(
    (a: HTMLAudioElement) =>
      new Promise<{ duration: number; at: number }>((resolve) => {
        a.addEventListener("seeked", () => resolve({ duration: a.duration, at: a.currentTime }), { once: true });
        a.currentTime = 1.5;
      }),
  );
  assert.ok(played.duration > 2, `the recording lasts the call (${played.duration} s)`);
  assert.ok(Math.abs(played.at - 1.5) < 0.05, `seeked to 1.5 s (at ${played.at})`);
  await until("a byte-range answer (206) to the player", async () =>
    recordingAnswers.some((r) => r.status === 206 && /^bytes \d+-\d+\/\d+$/.test(r.contentRange ?? "")),
  );

  // A transcript line's time button moves the player there (keyboard: focus and Enter).
  const line = page.locator(".transcript li.customer").first();
  const stamp = /\d+:\d\d:\d\d/.exec(await line.locator(".stamp").innerText())?.[0] ?? "";
  const seconds = stamp.split(":").reduce((acc, p) => acc * 60 + Number(p), 0);
  await audio.evaluate((a: HTMLAudioElement) => {
    a.pause();
    a.currentTime = 0;
  });
  await line.locator(".stamp").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction((t) => (document.querySelector("audio")?.currentTime ?? -1) >= t - 0.05, seconds);
  await shot("call-detail");

  await page.getByRole("link", { name: "← All calls" }).click();
  await waitRows(3);
  await page.getByRole("link", { name: seeded.outboundId }).click();
  await page.getByText("This call has no recording.").waitFor();
  await page.getByText("No transcript for this call.").waitFor();
});

test("analytics: the overview numbers and the timeline drawn as a chart, by day and by hour", async () => {
  await go("#/analytics");
  await page.getByTestId("total-calls").filter({ hasText: /^3$/ }).waitFor();
  const chart = page.getByTestId("timeline-chart");
  await chart.waitFor();
  const bars = () => chart.locator("rect.bar").evaluateAll((r) => r.map((b) => Number(b.getAttribute("data-calls"))));
  const daily = await bars();
  assert.equal(
    daily.reduce((a, b) => a + b, 0),
    3,
    `the day bars hold the three calls: ${daily}`,
  );
  assert.ok(daily.length <= 2, "seeded within a minute: one day, or two across midnight");
  await shot("analytics");

  await page.getByLabel("Per", { exact: true }).selectOption("hour");
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByRole("heading", { name: "Calls per hour" }).waitFor();
  await page.waitForFunction(
    () => document.querySelector("[data-testid=timeline-chart] title")?.textContent === "Calls per hour",
  );
  const hourly = await bars();
  assert.equal(
    hourly.reduce((a, b) => a + b, 0),
    3,
  );
  assert.ok(hourly.length >= 1 && hourly.length <= 2, `the calls fall in one or two hours: ${hourly}`);
});

test("softphone: the Twilio voice token, what it grants and its state", async () => {
  await go("#/softphone");
  const facts = page.getByTestId("voice-token");
  await facts.waitFor();
  const text = await facts.innerText();
  assert.match(text, /client:demo_rep/);
  assert.match(text, /ie1 \/ dublin/);
  assert.match(text, /Incoming calls\s+allowed/);
  assert.ok(text.includes(stack.demo.apiKeySid) === false, "the API key is not shown");
  await page.locator(".badge", { hasText: "token ready" }).waitFor();
  await shot("softphone");
});

test("talk to the AI: a real WebRTC call through /api/realtime/calls, audio both ways and live events", async () => {
  const before = peers.length;
  await go("#/talk");
  await page.getByLabel("Voice", { exact: true }).selectOption("cedar");
  await page.getByRole("button", { name: "Start talking" }).click();
  await page.locator("[data-testid=talk-state][data-state=connected]").waitFor();
  const peer = await until("the fake OpenAI peer", async () => (peers.length > before ? lastPeer() : null));

  // The Worker forwarded the offer with the tenant's key and model; the browser chose the voice.
  assert.equal(peer.apiKey, "sk-demo-local");
  assert.equal(peer.session.model, "gpt-realtime");
  assert.deepEqual((peer.session.audio as { output?: unknown }).output, { voice: "cedar" });

  // Chromium's fake microphone reached the peer as sound, and the peer's chime reached the page as sound.
  await until("microphone audio at the peer", async () => peer.loudPacketsIn > 10);
  await page.waitForFunction(
    () =>
      Number(document.querySelector("[data-testid=packets-received]")?.textContent) > 0 &&
      Number(document.querySelector("[data-testid=energy-received]")?.textContent) > 0,
  );
  const events = page.getByTestId("talk-events");
  await events.getByText("session.created").waitFor();
  await events.getByText("Fake realtime reply 1 (welcome).").first().waitFor();
  await events.getByText("input_audio_buffer.speech_started").waitFor();

  await page.getByRole("button", { name: "Ask for a reply" }).click();
  await events.getByText("Fake realtime reply 2 (response.create).").first().waitFor();
  assert.ok(peer.clientEvents.includes("response.create"));
  assert.ok(!(await page.content()).includes("sk-demo-local"), "the tenant's OpenAI key never reaches the page");
  await shot("talk");

  await page.getByRole("button", { name: "Hang up" }).click();
  await page.locator("[data-testid=talk-state][data-state=ended]").waitFor();
});

test("responsive: the calls list and a call fit a phone screen", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await go("#/calls");
    await waitRows(3);
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(await fits(), "no sideways scrolling on the list");
    await shot("calls-phone");
    await go(`#/calls/${seeded.inbound[1]!.id}`);
    await page.getByText(seeded.inbound[1]!.said).waitFor();
    assert.ok(await fits(), "no sideways scrolling on a call");
    await shot("call-detail-phone");
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

test("accessible: every control has a name, and the keyboard reaches the navigation, filters and calls", async () => {
  for (const hash of ["#/calls", `#/calls/${seeded.inbound[0]!.id}`, "#/analytics", "#/softphone", "#/talk"]) {
    await go(hash);
    await page.locator("main h1").waitFor();
    await page.waitForFunction(() => !document.querySelector("[role=status] .spinner"));
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, textarea, button, a[href], audio")]
        .filter((el) => {
          const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute("aria-label");
          return !labelled && !(el.textContent ?? "").trim();
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unnamed, [], `${hash}: controls without an accessible name`);
  }
  await go("#/calls");
  await waitRows(3);
  const reached = new Set<string>();
  await page.locator("body").focus();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    reached.add(
      await page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim() || ""),
    );
  }
  for (const name of [
    "Skip to content",
    "Calls",
    "Analytics",
    "Softphone",
    "Talk to the AI",
    "f-state",
    "Apply filters",
  ])
    assert.ok(reached.has(name), `Tab reaches ${name}`);
  assert.ok(
    seeded.inbound.some((c) => reached.has(c.id)),
    "Tab reaches the calls",
  );
});

test("the API reference at /docs shows every operation of /openapi.json, loading nothing from another origin", async () => {
  const doc = (await (await fetch(`${stack.base}/openapi.json`)).json()) as { paths: Record<string, object> };
  const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  const docs = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const loaded: string[] = [];
  const failed: string[] = [];
  docs.on("request", (r) => loaded.push(r.url()));
  docs.on("requestfailed", (r) => failed.push(r.url()));
  docs.on("response", (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
  await docs.goto(`${stack.base}/docs`);
  await docs
    .locator(".opblock")
    .nth(operations - 1)
    .waitFor({ timeout: STATE_TIMEOUT });
  assert.equal(await docs.locator(".opblock").count(), operations);
  await docs.locator(".opblock-summary", { hasText: "/api/v1/voice-calls/{id}/recording-url" }).first().click();
  await docs.getByText("audio:download").first().waitFor({ timeout: STATE_TIMEOUT });
  await docs.screenshot({ path: join(SHOTS, "docs.png") });
  assert.deepEqual(
    loaded.filter((u) => !u.startsWith(`${stack.base}/`) && !u.startsWith("data:")),
    [],
  );
  assert.deepEqual(failed, []);
  await docs.close();
});

test("sign out forgets the token; a reload stays signed out; the token never went into a URL", async () => {
  await go("#/calls");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Rep token").waitFor();
  await page.getByText("You signed out.").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("voicedesk.repToken")), null);
  await page.reload();
  await page.getByLabel("Rep token").waitFor();
  assert.ok(requested.length > 20, "the run made requests");
  assert.deepEqual(
    requested.filter((u) => u.includes(seeded.repToken)),
    [],
  );
});
