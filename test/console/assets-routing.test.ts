import { describe, expect, it } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import { createApp } from "../../src/app";

/** The `[assets]` table of wrangler.toml, as far as these tests need it. */
function assetsConfig() {
  const table = /^\[assets\]\n([\s\S]*?)(?=^\[)/m.exec(wranglerToml)?.[1] ?? "";
  const value = (key: string) => new RegExp(`^${key} = (.+)$`, "m").exec(table)?.[1];
  return {
    directory: JSON.parse(value("directory") ?? "null") as string | null,
    notFound: JSON.parse(value("not_found_handling") ?? "null") as string | null,
    workerFirst: JSON.parse(value("run_worker_first") ?? "[]") as string[],
  };
}

/** A run_worker_first rule as a matcher: `*` matches anything, the rest literally. */
const rule = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

describe("the console's static assets and the Worker's paths (wrangler.toml [assets])", () => {
  it("serves the built console from console/dist, with no fallback page that could answer for an API path", () => {
    const c = assetsConfig();
    expect(c.directory).toBe("./console/dist");
    expect(c.notFound).toBe("none");
  });

  it("runs the Worker first for every path the app routes, so no file can shadow one", () => {
    const rules = assetsConfig().workerFirst.map(rule);
    // Every route and middleware mount, but the app-wide middleware (`*`: it runs for what reaches the Worker).
    const paths = [...new Set(createApp().routes.map((r) => r.path))].filter((p) => p !== "/*");
    expect(paths.length).toBeGreaterThan(20);
    // A concrete path for each route: parameters and wildcards filled in.
    const concrete = paths.map(
      (p) =>
        p
          .replace(/:[^/]+/g, "x1")
          .replace(/\*/g, "x2")
          .replace(/\/$/, "") || "/",
    );
    const uncovered = concrete.filter((p) => !rules.some((r) => r.test(p)));
    expect(uncovered).toEqual([]);
  });

  it("leaves / to the console", () => {
    expect(
      assetsConfig()
        .workerFirst.map(rule)
        .some((r) => r.test("/")),
    ).toBe(false);
  });
});
