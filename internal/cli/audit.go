package cli

import (
	"context"
	"errors"
	"fmt"

	"rcmguard/internal/audit"
)

const auditUsage = "audit verify [--anchor SEQ:HASH] [--db PATH|URL] [--key-file FILE]"

// runAudit dispatches the audit subcommands.
func runAudit(e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "Usage: rcmguard %s\n", auditUsage)
		return exitInvalid
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: rcmguard %s\n", auditUsage)
		return exitOK
	}
	e.errorf("audit", "unknown subcommand %q (want verify)", args[0])
	return exitInvalid
}

// runAuditVerify walks the chain and exits 0 when it is intact, 1 naming
// the first bad entry, 2 when it could not check at all.
func runAuditVerify(e *env, args []string) int {
	fs := e.newFlagSet("audit verify", auditUsage)
	db := addDBFlags(fs)
	anchorFlag := fs.String("anchor", "", "a head printed by an earlier verify (SEQ:HASH), kept outside the database; the chain must still contain it")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if fs.NArg() != 0 {
		e.errorf("audit", "unexpected argument %q", fs.Arg(0))
		return exitInvalid
	}
	var anchor *audit.Anchor
	if *anchorFlag != "" {
		a, err := audit.ParseAnchor(*anchorFlag)
		if err != nil {
			e.errorf("audit", "%v", err)
			return exitInvalid
		}
		anchor = &a
	}
	ctx := context.Background()
	st, kr, err := db.open(ctx)
	if err != nil {
		e.errorf("audit", "%v", err)
		return exitInvalid
	}
	defer st.Close()
	rep, err := newAuditLog(kr).Verify(ctx, st, anchor)
	var be *audit.BreakError
	if errors.As(err, &be) {
		fmt.Fprintf(e.stdout, "audit log NOT intact: first bad entry %d: %s\n", be.Seq, be.Reason)
		return exitFailOn
	}
	if err != nil {
		e.errorf("audit", "%v", err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "audit log intact: %d entries, %d signed checkpoints\n", rep.Entries, rep.Checkpoints)
	fmt.Fprintf(e.stdout, "head: %s\n", rep.Head)
	fmt.Fprintln(e.stdout, "Keep the head line somewhere outside this server; pass it as --anchor next time.")
	return exitOK
}
