package app

import (
	"fmt"
	"strings"

	"rcmguard/internal/auth"
	"rcmguard/internal/notify"
	"rcmguard/internal/store"
)

// invitationMessage is the e-mail that carries an invitation link. It
// holds what the person needs to decide and nothing of the analysis: the
// workspace's name, the role, who invited them, the link and when it
// stops working. Mail crosses relays the organisation does not control;
// nothing from the model, the evidence or the register goes into it.
// A person with an account is told to sign in first; one without is told
// they will choose a password. Either way only the person holding the
// address reads which it is.
func invitationMessage(inv store.Invitation, ws store.Workspace, inviter, base, token string, hasAccount bool) notify.Message {
	link := base + InvitationPath(token)
	role := roleWords(auth.Role(inv.Role))
	until := inv.ValidUntil.UTC().Format("2 Jan 2006 15:04 UTC")
	var b strings.Builder
	var subject string
	if hasAccount {
		subject = fmt.Sprintf("You have been added to %s on rcmguard: accept to join", ws.Name)
		fmt.Fprintf(&b, "%s added you to %s on rcmguard as %s.\n\n", inviter, ws.Name, role)
		fmt.Fprintf(&b, "You join once you accept. Sign in to rcmguard with your account for %s, then open this link:\n\n", inv.Email)
	} else {
		subject = fmt.Sprintf("Invitation to join %s on rcmguard", ws.Name)
		fmt.Fprintf(&b, "%s invited you to join %s on rcmguard as %s.\n\n", inviter, ws.Name, role)
		b.WriteString("To accept, open this link, choose your own password and set up two-step verification:\n\n")
	}
	fmt.Fprintf(&b, "%s\n\n", link)
	fmt.Fprintf(&b, "The link works once, until %s. It was sent only to this address: do not forward it.\n", until)
	if !inv.Expires.IsZero() {
		fmt.Fprintf(&b, "Your access ends on %s.\n", inv.Expires.UTC().Format("2 Jan 2006"))
	}
	b.WriteString("\nIf you did not expect this, ignore this message: nothing happens unless the link is accepted.\n")
	fmt.Fprintf(&b, "\n-- \nrcmguard at %s\n", base)
	return notify.Message{To: []string{inv.Email}, Subject: subject, Text: b.String()}
}

// roleWords names a role inside a sentence.
func roleWords(r auth.Role) string {
	switch r {
	case auth.RoleOwner:
		return "an owner"
	case auth.RoleComplianceOfficer:
		return "a compliance officer"
	case auth.RoleContributor:
		return "a contributor"
	case auth.RoleAuditor:
		return "an auditor (read-only)"
	}
	return string(r)
}
