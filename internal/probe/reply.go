package probe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// FTP (RFC 959 4.2) and SMTP (RFC 5321 4.2) share a reply format: a
// three-digit code, then '-' on every line but the last and ' ' (or nothing)
// on the last. FTP additionally allows continuation lines that do not start
// with the code at all.

const (
	maxReplyLine  = 4096
	maxReplyLines = 512
)

// reply is one parsed server reply.
type reply struct {
	code  int
	lines []string // the text of each line, code and separator removed
}

func (r reply) text() string { return strings.Join(r.lines, "\n") }

// readReply reads one complete reply.
func readReply(br *bufio.Reader) (reply, error) {
	var rep reply
	first := true
	for n := 0; n < maxReplyLines; n++ {
		line, err := readLine(br)
		if err != nil {
			return rep, err
		}
		code, sep, text, ok := splitReplyLine(line)
		if first {
			if !ok {
				return rep, fmt.Errorf("probe: malformed reply line %q", clip(line))
			}
			rep.code = code
			first = false
			rep.lines = append(rep.lines, text)
			if sep != '-' {
				return rep, nil
			}
			continue
		}
		if ok && code == rep.code {
			rep.lines = append(rep.lines, text)
			if sep != '-' {
				return rep, nil
			}
			continue
		}
		// An FTP continuation line without the code.
		rep.lines = append(rep.lines, strings.TrimSpace(line))
	}
	return rep, fmt.Errorf("probe: reply longer than %d lines", maxReplyLines)
}

// splitReplyLine splits "250-SIZE 1000" into 250, '-', "SIZE 1000".
func splitReplyLine(line string) (code int, sep byte, text string, ok bool) {
	if len(line) < 3 {
		return 0, 0, "", false
	}
	for i := 0; i < 3; i++ {
		c := line[i]
		if c < '0' || c > '9' {
			return 0, 0, "", false
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 || code > 599 {
		return 0, 0, "", false
	}
	if len(line) == 3 {
		return code, ' ', "", true
	}
	sep = line[3]
	if sep != ' ' && sep != '-' {
		return 0, 0, "", false
	}
	return code, sep, line[4:], true
}

// readLine reads one CRLF- or LF-terminated line of bounded length.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		frag, err := br.ReadSlice('\n')
		b = append(b, frag...)
		if len(b) > maxReplyLine {
			return "", fmt.Errorf("probe: reply line longer than %d bytes", maxReplyLine)
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(b) > 0 {
			break
		}
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("probe: connection closed: %w", io.ErrUnexpectedEOF)
		}
		return "", fmt.Errorf("probe: read reply: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// clip shortens a peer's text for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
