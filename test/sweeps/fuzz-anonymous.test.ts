import { fuzzSweep } from "./fuzz";

// The anonymous routes of test/sweeps/route-table.ts (groupOf in test/sweeps/fuzz.ts).
fuzzSweep("anonymous");
