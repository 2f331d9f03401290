// bench/recording runs its one file inside workerd with the test suite's own setup (fakes, migrations, bindings).
import { mergeConfig } from "vitest/config";
import base from "../../vitest.config.mts";

export default async () =>
  mergeConfig(await (base as () => Promise<object>)(), {
    test: { include: ["bench/recording/*.workerd.ts"] },
  });
