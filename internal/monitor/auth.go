package monitor

import (
	"bytes"
	"net/netip"
	"strings"
)

// recognise fills the authentication meaning of a syslog message from the
// program that logged it. A message it does not know stays ActionOther: the
// line parsed, it just says nothing a detection needs.
func recognise(e *Event, msg []byte) {
	e.Action = ActionOther
	prog := e.Program
	if i := strings.IndexByte(prog, '('); i > 0 {
		prog = prog[:i] // sshd(pam_unix)
	}
	switch {
	case bytes.HasPrefix(msg, []byte("pam_")):
		pamLine(e, msg)
	case prog == "sshd" || strings.HasPrefix(prog, "sshd-"):
		sshdLine(e, msg)
	case prog == "sudo":
		sudoLine(e, msg)
	case prog == "su":
		suLine(e, msg)
	case prog == "vsftpd":
		vsftpdMsg(e, msg)
	}
}

// fromTail splits "... from HOST port N ..." at the LAST " from ": the user
// name comes before it and is chosen by whoever connects, so a name like
// "x from 10.0.0.9 port 22" must not supply the address. sshd writes the
// real peer after the user, so the last occurrence is the real one.
func fromTail(s string) (head, host, after string, ok bool) {
	i := strings.LastIndex(s, " from ")
	if i < 0 {
		return "", "", "", false
	}
	head, rest := s[:i], s[i+len(" from "):]
	host, after, _ = strings.Cut(rest, " ")
	return head, host, after, host != ""
}

func setHost(e *Event, host string) {
	if a, err := netip.ParseAddr(host); err == nil {
		e.SrcIP = a.Unmap().String()
		return
	}
	e.set("rhost", host)
}

func sshdLine(e *Event, msg []byte) {
	s := string(msg)
	switch {
	case strings.HasPrefix(s, "Accepted "), strings.HasPrefix(s, "Failed "):
		verdict, rest, _ := strings.Cut(s, " ")
		method, rest, ok := strings.Cut(rest, " for ")
		if !ok || strings.ContainsRune(method, ' ') {
			return
		}
		head, host, after, ok := fromTail(rest)
		if !ok || !strings.HasPrefix(after, "port ") {
			return
		}
		if u, ok := strings.CutPrefix(head, "invalid user "); ok {
			head = u
			e.set("unknown_user", "true")
		}
		e.Action, e.User = ActionLogon, head
		setHost(e, host)
		e.set("method", method)
		e.set("service", "sshd")
		if verdict == "Accepted" {
			e.Outcome = Success
			if _, fp, ok := strings.Cut(after, ": "); ok {
				e.set("key", fp)
			}
		} else {
			e.Outcome = Failure
		}
	case strings.HasPrefix(s, "Invalid user "), strings.HasPrefix(s, "Illegal user "):
		head, host, after, ok := fromTail(s[len("Invalid user "):])
		if !ok || (after != "" && !strings.HasPrefix(after, "port ")) {
			return
		}
		e.Action, e.Outcome, e.User = ActionInvalidUser, Failure, head
		setHost(e, host)
		e.set("service", "sshd")
	case strings.HasPrefix(s, "error: maximum authentication attempts exceeded for "):
		head, host, _, ok := fromTail(s[len("error: maximum authentication attempts exceeded for "):])
		if !ok {
			return
		}
		e.Action, e.Outcome = "max_attempts", Failure
		e.User = strings.TrimPrefix(head, "invalid user ")
		setHost(e, host)
	case strings.HasPrefix(s, "Disconnected from user "):
		head, host, ok := strings.Cut(s[len("Disconnected from user "):], " ")
		if !ok {
			return
		}
		e.Action, e.User = ActionLogoff, head
		h, _, _ := strings.Cut(host, " ")
		setHost(e, h)
	}
}

// pamLine reads pam_unix / pam_sss style messages:
//
//	pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root
//	pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)
//
// PAM lines are kept as action "pam_auth" or "pam_session": the daemons
// that log their own verdict (sshd, su, sudo) would otherwise be counted
// twice, so rules decide which services to take from PAM.
func pamLine(e *Event, msg []byte) {
	s := string(msg)
	open, rest, ok := strings.Cut(s, "): ")
	if !ok {
		return
	}
	_, svc, ok := strings.Cut(open, "(")
	if !ok {
		return
	}
	service, kind, _ := strings.Cut(svc, ":")
	e.set("service", service)
	switch {
	case strings.HasPrefix(rest, "authentication failure;"):
		e.Action, e.Outcome = "pam_auth", Failure
		kv := pamKV(rest[len("authentication failure;"):])
		e.User = kv["user"]
		if e.User == "" {
			e.User = kv["ruser"]
		}
		if h := kv["rhost"]; h != "" {
			setHost(e, h)
		}
		e.set("logname", kv["logname"])
		e.set("tty", kv["tty"])
	case kind == "session" && strings.HasPrefix(rest, "session opened for user "):
		e.Action, e.Outcome = "pam_session", Success
		u := rest[len("session opened for user "):]
		u, by, _ := strings.Cut(u, " by ")
		e.User = stripUID(u)
		e.set("by", stripUID(by))
	case kind == "session" && strings.HasPrefix(rest, "session closed for user "):
		e.Action = ActionLogoff
		e.User = stripUID(rest[len("session closed for user "):])
	}
}

func stripUID(s string) string {
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// pamKV reads the space-separated key=value list after "authentication
// failure;". Values may be empty ("ruser= rhost=").
func pamKV(s string) map[string]string {
	kv := make(map[string]string, 8)
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if ok {
			kv[k] = v
		}
	}
	return kv
}

// sudoLine reads "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ;
// COMMAND=/usr/bin/id", with an optional failure reason before TTY=
// ("3 incorrect password attempts", "user NOT in sudoers").
func sudoLine(e *Event, msg []byte) {
	s := strings.TrimSpace(string(msg))
	user, rest, ok := strings.Cut(s, " : ")
	if !ok || user == "" || strings.ContainsRune(user, ' ') {
		return
	}
	e.Action, e.User, e.Outcome = ActionSudo, user, Success
	// COMMAND= is last and may hold " ; " itself, so it is cut off first.
	if i := strings.Index(rest, "COMMAND="); i >= 0 {
		e.set("command", rest[i+len("COMMAND="):])
		rest = rest[:i]
	}
	for _, part := range strings.Split(rest, " ; ") {
		part = strings.TrimSpace(part)
		k, v, ok := strings.Cut(part, "=")
		switch {
		case ok && k == "USER":
			e.set("target_user", v)
		case ok && k == "TTY":
			e.set("tty", v)
		case ok && (k == "PWD" || k == "ENV"):
		case part != "":
			e.Outcome = Failure
			e.set("reason", part)
		}
	}
}

// suLine reads util-linux su ("(to root) alice on pts/0", "FAILED SU (to
// root) alice on pts/0") and the older shadow su ("Successful su for root
// by alice", "FAILED su for root by alice").
func suLine(e *Event, msg []byte) {
	s := string(msg)
	failed := false
	if r, ok := strings.CutPrefix(s, "FAILED SU "); ok {
		s, failed = r, true
	}
	if r, ok := strings.CutPrefix(s, "(to "); ok {
		target, rest, ok := strings.Cut(r, ") ")
		if !ok {
			return
		}
		user, _, _ := strings.Cut(rest, " on ")
		e.User = user
		e.set("target_user", target)
	} else {
		var rest string
		switch {
		case strings.HasPrefix(s, "Successful su for "):
			rest = s[len("Successful su for "):]
		case strings.HasPrefix(s, "FAILED su for "):
			rest, failed = s[len("FAILED su for "):], true
		default:
			return
		}
		target, user, ok := strings.Cut(rest, " by ")
		if !ok {
			return
		}
		e.User = user
		e.set("target_user", target)
	}
	e.Action, e.Outcome = ActionSu, Success
	if failed {
		e.Outcome = Failure
	}
}

// vsftpdMsg reads `[alice] OK LOGIN: Client "192.0.2.4"` and FAIL LOGIN,
// the text vsftpd writes both to syslog and after the "[pid N] " of its
// own vsftpd.log.
func vsftpdMsg(e *Event, msg []byte) {
	s := string(msg)
	if strings.HasPrefix(s, "[pid ") {
		_, s, _ = strings.Cut(s, "] ")
	}
	if !strings.HasPrefix(s, "[") {
		return
	}
	// The user name is the client's to choose and may itself read
	// `x] OK LOGIN: Client "…`, so the verdict is the LAST one on the
	// line: only the real client address follows it.
	ok := strings.LastIndex(s, `] OK LOGIN: Client "`)
	fail := strings.LastIndex(s, `] FAIL LOGIN: Client "`)
	var out Outcome
	var at, tail int
	switch {
	case ok > fail:
		out, at, tail = Success, ok, ok+len(`] OK LOGIN: Client "`)
	case fail > ok:
		out, at, tail = Failure, fail, fail+len(`] FAIL LOGIN: Client "`)
	default:
		return
	}
	user := s[1:at]
	host, _, closed := strings.Cut(s[tail:], `"`)
	if !closed {
		return
	}
	e.Action, e.Outcome, e.User = ActionLogon, out, user
	setHost(e, host)
	e.set("service", "vsftpd")
}
