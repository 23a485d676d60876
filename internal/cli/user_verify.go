package cli

import (
	"context"
	"fmt"

	"rcmguard/internal/auth"
	"rcmguard/internal/store"
)

// runUserVerify vouches for an account's address. An account made through
// an invitation link that the inviting owner copied is unverified, and an
// unverified account can join another workspace only through a link
// e-mailed to its address; on a server without a mail relay the
// administrator confirms the person another way and vouches here.
func runUserVerify(e *env, args []string) int {
	fs := e.newFlagSet("user verify", userVerifyUsage)
	db := addDBFlags(fs)
	st, kr, u, status, ok := e.userTarget(fs, db, userVerifyUsage, args, nil)
	if !ok {
		return status
	}
	defer st.Close()
	svc := auth.New(st, newAuditLog(kr), auth.Config{})
	before, err := svc.VouchForAddress(context.Background(), u.ID, cliActor(), e.now())
	if err != nil {
		e.errorf("user", "%v", err)
		return exitInvalid
	}
	if !before.IsZero() {
		fmt.Fprintf(e.stdout, "the address of user %d (%s) was already verified on %s\n", u.ID, auth.EmailHint(u.Email),
			store.FormatTime(before)[:10])
		return exitOK
	}
	fmt.Fprintf(e.stdout, "verified the address of user %d (%s): you vouch that its holder reads that mailbox\n",
		u.ID, auth.EmailHint(u.Email))
	return exitOK
}
