//go:build race

package durability

// Under the race detector every request in the test process costs several
// times more, so fewer crash cycles keep the race run short; the full ten
// run in the ordinary test run.
const cycles = 3
