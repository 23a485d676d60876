package phiscan

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"strconv"
	"strings"
)

// Email exports are where aging reports and claim files travel. A message
// is read with net/mail and mime/multipart; its text parts are scanned as
// the message itself, and each attachment, decoded from base64 or
// quoted-printable, goes back through content recognition under the path
// mail.eml!attachment-name.

// maxParts bounds the parts of one message, nested multiparts included.
const maxParts = 1000

type mailWalk struct {
	j     *job
	u     *unit
	path  string
	depth int
	parts int
}

func (j *job) scanMail(p string, r io.Reader, depth int) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		j.notice(p, "not inspected: not a readable email message: %v", err)
		return nil
	}
	u := newUnit(p, typeEML, &j.s.lim, j.s.now)
	defer j.collect(u)
	if subj := msg.Header.Get("Subject"); subj != "" {
		dec, err := new(mime.WordDecoder).DecodeHeader(subj)
		if err != nil {
			dec = subj
		}
		u.scanLine([]byte(dec), 0, roleNone)
		u.endRecord()
	}
	w := &mailWalk{j: j, u: u, path: p, depth: depth}
	return w.part(textproto.MIMEHeader(msg.Header), msg.Body, 0)
}

func (w *mailWalk) part(h textproto.MIMEHeader, body io.Reader, nest int) error {
	w.parts++
	if w.parts > maxParts || nest > 20 {
		w.j.notice(w.path, "stopped after %d MIME parts", maxParts)
		return nil
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mediaType, params = "text/plain", nil
	}
	body = transferDecode(h.Get("Content-Transfer-Encoding"), body)
	name := attachmentName(h, params)
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				w.j.notice(w.path, "MIME structure damaged: %v", err)
				return nil
			}
			if err := w.part(p.Header, p, nest+1); err != nil {
				return err
			}
		}
	case mediaType == "message/rfc822":
		inner := w.path + "!" + nonEmpty(name, "message-"+strconv.Itoa(w.parts))
		if w.depth+1 > w.j.s.lim.MaxDepth {
			w.j.notice(inner, "not inspected: nested deeper than %d levels", w.j.s.lim.MaxDepth)
			return nil
		}
		return w.j.scanMail(inner, body, w.depth+1)
	case name == "" && strings.HasPrefix(mediaType, "text/"):
		return w.u.scanText(body, recordParagraph)
	default:
		inner := w.path + "!" + nonEmpty(name, "part-"+strconv.Itoa(w.parts))
		if w.depth+1 > w.j.s.lim.MaxDepth {
			w.j.notice(inner, "not inspected: nested deeper than %d levels", w.j.s.lim.MaxDepth)
			return nil
		}
		w.j.content(inner, io.LimitReader(body, w.j.s.lim.MaxEntryBytes), nil, 0, w.depth+1)
		return nil
	}
}

// transferDecode undoes a Content-Transfer-Encoding.
func transferDecode(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Clean{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Clean drops the line breaks and spaces of MIME base64, which the
// standard decoder only tolerates as CR and LF.
type base64Clean struct{ r io.Reader }

func (b *base64Clean) Read(p []byte) (int, error) {
	for {
		n, err := b.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// attachmentName returns the file name of a part, reduced to its base so
// a crafted name cannot forge a nested path.
func attachmentName(h textproto.MIMEHeader, ctParams map[string]string) string {
	name := ""
	if _, p, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil {
		name = p["filename"]
	}
	if name == "" {
		name = ctParams["name"]
	}
	if name == "" {
		return ""
	}
	if dec, err := new(mime.WordDecoder).DecodeHeader(name); err == nil {
		name = dec
	}
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	return strings.ReplaceAll(name, "!", "_")
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// scanMbox splits an mbox at its "From " separator lines and reads each
// message in turn, without holding more than one line in memory.
func (j *job) scanMbox(p string, r *bufio.Reader, depth int) error {
	if depth >= j.s.lim.MaxDepth {
		j.notice(p, "not inspected: nested deeper than %d levels", j.s.lim.MaxDepth)
		return nil
	}
	mr := &mboxReader{br: r}
	for n := 1; ; n++ {
		if !mr.nextMessage() {
			return mr.err
		}
		if j.entries >= j.s.lim.MaxEntries {
			j.notice(p, "stopped after %d messages and archive entries (entry limit, nested ones included); the rest of this mailbox was not read", j.s.lim.MaxEntries)
			return nil
		}
		j.entries++
		inner := p + "!message-" + strconv.Itoa(n)
		if err := j.scanMail(inner, mr, depth+1); err != nil {
			return err
		}
		// Drain what the parser did not read of this message.
		if _, err := io.Copy(io.Discard, mr); err != nil {
			return fmt.Errorf("phiscan: mbox: %w", err)
		}
	}
}

// mboxReader reads one message of an mbox at a time: Read returns EOF at
// the next "From " line that follows a blank line.
type mboxReader struct {
	br      *bufio.Reader
	pending []byte // the current line, not yet returned
	blank   bool   // the previous line was blank
	atSep   bool   // pending is the next message's "From " line
	eof     bool
	err     error
}

// nextMessage skips to the start of the next message; false at the end.
func (m *mboxReader) nextMessage() bool {
	for {
		if m.atSep {
			m.atSep = false
			m.pending = nil
			m.blank = false
			return true
		}
		if m.eof {
			return false
		}
		line, err := m.readLine()
		if err != nil {
			return false
		}
		if bytes.HasPrefix(line, []byte("From ")) {
			m.blank = false
			return true
		}
	}
}

func (m *mboxReader) readLine() ([]byte, error) {
	line, err := m.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// A line longer than the buffer: hand it out in pieces.
		return line, nil
	}
	if err != nil {
		m.eof = true
		if !errors.Is(err, io.EOF) {
			m.err = fmt.Errorf("phiscan: mbox: %w", err)
		}
		if len(line) == 0 {
			return nil, io.EOF
		}
	}
	return line, nil
}

func (m *mboxReader) Read(p []byte) (int, error) {
	for len(m.pending) == 0 {
		if m.atSep || m.eof {
			return 0, io.EOF
		}
		line, err := m.readLine()
		if err != nil {
			return 0, io.EOF
		}
		if m.blank && bytes.HasPrefix(line, []byte("From ")) {
			m.atSep = true
			return 0, io.EOF
		}
		t := bytes.TrimRight(line, "\r\n")
		m.blank = len(t) == 0
		if bytes.HasPrefix(line, []byte(">From ")) {
			line = line[1:]
		}
		m.pending = append(m.pending[:0], line...)
	}
	n := copy(p, m.pending)
	m.pending = m.pending[n:]
	return n, nil
}
