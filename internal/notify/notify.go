// Package notify delivers messages to people: e-mail through an SMTP relay
// (smtp.go) and, later, webhooks and digests. Callers depend on the Sender
// interface; a server without a relay configured has no Sender and says so
// to the person who would otherwise expect a message.
package notify

import "context"

// Message is one e-mail. Text is required; HTML is optional. Messages must
// never carry PHI or a full identifier: they leave the system in clear
// through relays the organisation does not control.
type Message struct {
	To      []string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
