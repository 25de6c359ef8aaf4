// Property tests draw new random cases on every local run. In CI (CI=true) they use one
// fixed seed, so a run that lands is reproducible and a rare case found locally is
// fixed before it can block a landing at random; TUSK_FC_SEED overrides it.
import fc from "fast-check";

const seed = process.env.TUSK_FC_SEED ?? (process.env.CI ? "20261126" : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
