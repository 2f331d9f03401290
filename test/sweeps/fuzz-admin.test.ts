import { fuzzSweep } from "./fuzz";

// The admin routes of test/sweeps/route-table.ts (groupOf in test/sweeps/fuzz.ts).
fuzzSweep("admin");
