// bench/recording runs its one file inside workerd with the test suite's own setup (fakes, migrations, bindings).
import { mergeConfig } from "vitest/config";
import base from "../../vitest.config.mts";

export default async () =>
  mergeConfig(await (base as () => Promise<object>)(), {
    // One file at a time on any machine: the benches must not share it with each other.
    test: { include: ["bench/recording/*.workerd.ts"], maxWorkers: 1 },
  });
