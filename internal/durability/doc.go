// Package durability holds the crash test of rcmguard serve: it builds the
// real binary, kills it with SIGKILL while 200 clients write through the web
// UI, restarts it on the same database and checks that every write the
// server acknowledged survived, that the audit chain verifies and that
// SQLite's integrity check passes. The package has no code of its own; the
// test lives beside this file so that it runs in parallel with the others.
package durability
