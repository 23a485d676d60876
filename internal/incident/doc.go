// Package incident holds the pure parts of breach response: whether an
// incident is a breach of unsecured protected health information under
// 45 CFR 164.402, and the clocks of 45 CFR 164.404–164.412 and of the State
// breach-notification laws in states.yaml — every notice, to whom, by when,
// under which rule, and what it must say.
//
// Nothing here reads a file, a clock or the network: callers pass the
// incident's bytes and "today", so the web app, the CLI and the tests all get
// the same answers from the same inputs.
package incident
