import { fuzzSweep } from "./fuzz";

// The rep-data routes of test/sweeps/route-table.ts (groupOf in test/sweeps/fuzz.ts).
fuzzSweep("rep-data");
