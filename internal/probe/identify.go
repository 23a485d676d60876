package probe

import (
	"bufio"
	"fmt"
	"strings"
)

// CheckWrongProtocol marks an endpoint that speaks another protocol than
// the one the model declares: its judgement would be about the wrong thing,
// so none is made.
const CheckWrongProtocol = "probe.wrong-protocol"

// protocolMismatch is the error a probe returns when the peer's first words
// identify another protocol.
type protocolMismatch struct {
	declared, observed string
	evidence           string // what gave it away, clipped
}

func (e *protocolMismatch) Error() string {
	return fmt.Sprintf("probe: declared %s, but the endpoint speaks %s (%q)", e.declared, e.observed, e.evidence)
}

// identifyGreeting names the protocol a server's first line belongs to, or
// "" when it does not say. FTP and SMTP share the 220 greeting, so only the
// banner's words tell them apart.
func identifyGreeting(line string) string {
	switch {
	case strings.HasPrefix(line, "SSH-"):
		return ProtoSSH
	case len(line) >= 3 && (line[0] == recordAlert || line[0] == recordHandshake) && line[1] == 3:
		return ProtoTLS
	case strings.HasPrefix(line, "HTTP/"):
		return "http"
	case strings.HasPrefix(line, "220"):
		up := strings.ToUpper(line)
		switch {
		case strings.Contains(up, "SMTP"), strings.Contains(up, "POSTFIX"), strings.Contains(up, "EXIM"), strings.Contains(up, "MAIL"):
			if !strings.Contains(up, "FTP") {
				return ProtoSMTP
			}
		case strings.Contains(up, "FTP"):
			return ProtoFTP
		}
	}
	return ""
}

// checkGreeting peeks at the first bytes the server sent without consuming
// them and fails when they identify a protocol other than declared.
func checkGreeting(br *bufio.Reader, declared string) error {
	// Peek returns what is buffered even when fewer bytes arrived.
	head, _ := br.Peek(3)
	if len(head) == 0 {
		return nil
	}
	line := string(head)
	if len(head) == 3 && head[0] >= '0' && head[0] <= '9' || strings.HasPrefix(line, "SSH") || strings.HasPrefix(line, "HTT") {
		// A text protocol: look at the whole first line.
		if b, err := br.Peek(min(br.Buffered(), 512)); err == nil {
			line, _, _ = strings.Cut(string(b), "\n")
		}
	}
	got := identifyGreeting(line)
	if got == "" && strings.HasPrefix(line, "220") && (declared == ProtoSSH || declared == ProtoTLS) {
		got = "FTP or SMTP"
	}
	if got != "" && got != declared {
		return &protocolMismatch{declared: declared, observed: got, evidence: clip(strings.TrimSpace(printable(line)))}
	}
	return nil
}

// printable keeps a peer's bytes readable and harmless in a message.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F {
			return '.'
		}
		return r
	}, s)
}
