package incident

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// An incident file is small — a few dozen lines, or a few thousand for a
// billing company with many clients — and it may come from an upload, so
// Parse bounds what it will read before the YAML parser runs: the parser's
// cost grows with nesting depth times key length, and aliases let a few
// bytes stand for a great many values.
const (
	// MaxFileSize bounds an incident file; 1,000 clients with ten States
	// each fit in about 200 KB.
	MaxFileSize = 256 << 10
	maxTokens   = 100_000
	maxFlow     = 4  // [ ] and { } nesting; the format needs two
	maxColumn   = 40 // block indentation; the format nests three deep
	maxKeyLen   = 64 // the longest key is 20 characters
	maxClients  = 1000
	maxErrors   = 50
	maxCount    = 400_000_000 // more individuals than the United States has
)

type parseState struct {
	file string
	errs ErrorList
	in   *Input
}

func (p *parseState) errorf(n ast.Node, format string, args ...any) {
	p.errorAt(nodePos(n), format, args...)
}

func (p *parseState) errorAt(pos Pos, format string, args ...any) {
	if len(p.errs) < maxErrors {
		p.errs = append(p.errs, Error{File: p.file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
	}
}

func nodePos(n ast.Node) Pos {
	if n == nil {
		return Pos{}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return Pos{}
	}
	return Pos{Line: tk.Position.Line, Col: tk.Position.Column}
}

func tokenPos(tk *token.Token) Pos {
	if tk == nil || tk.Position == nil {
		return Pos{}
	}
	return Pos{Line: tk.Position.Line, Col: tk.Position.Column}
}

// Parse reads an incident file strictly: an unknown key, a wrong type, a bad
// date or State code, a negative count or an inconsistent combination is an
// error at its line and column, and every such error is reported (up to 50).
// The error is an ErrorList.
func Parse(name string, data []byte) (*Input, error) {
	p := &parseState{file: name}
	fail := func(pos Pos, format string, args ...any) (*Input, error) {
		return nil, ErrorList{{File: name, Pos: pos, Msg: fmt.Sprintf(format, args...)}}
	}
	if len(data) > MaxFileSize {
		return fail(Pos{}, "file is larger than %d KiB; an incident file is a few lines per client", MaxFileSize>>10)
	}
	if strings.ContainsRune(string(data), 0) {
		return fail(Pos{}, "file holds a NUL byte; an incident file is text")
	}
	toks := lexer.Tokenize(string(data))
	if len(toks) > maxTokens {
		return fail(Pos{}, "file has more than %d YAML tokens", maxTokens)
	}
	flow := 0
	for _, tk := range toks {
		pos := tokenPos(tk)
		switch tk.Type {
		case token.AnchorType, token.AliasType, token.TagType, token.MergeKeyType:
			// Nothing in the format needs them, and aliases are how a small
			// file becomes a large one.
			return fail(pos, "anchors, aliases, tags and merge keys are not allowed in an incident file")
		case token.DocumentHeaderType, token.DocumentEndType, token.DirectiveType:
			return fail(pos, "an incident file is a single YAML document without markers or directives")
		case token.SequenceStartType, token.MappingStartType:
			if flow++; flow > maxFlow {
				return fail(pos, "nesting is deeper than the incident format allows")
			}
		case token.SequenceEndType, token.MappingEndType:
			flow--
		case token.MappingValueType:
			// A key is the token before its colon.
		}
		// Block nesting shows as indentation: the first token of a line.
		if tk.Type != token.CommentType && (tk.Prev == nil || tk.Prev.Position == nil || tk.Prev.Position.Line != pos.Line) &&
			pos.Col > maxColumn && flow == 0 {
			return fail(pos, "indentation is deeper than the incident format allows")
		}
		if tk.Type != token.CommentType && len(tk.Value) > maxKeyLen && tk.Next != nil && tk.Next.Type == token.MappingValueType {
			return fail(pos, "key is longer than %d characters", maxKeyLen)
		}
	}
	file, err := parser.Parse(toks, 0)
	if err != nil {
		// The library's errors carry their token; its message alone is
		// the text after the "[line:col]" prefix.
		var te interface {
			GetToken() *token.Token
			GetMessage() string
		}
		if errors.As(err, &te) {
			return fail(tokenPos(te.GetToken()), "not valid YAML: %s", te.GetMessage())
		}
		return fail(Pos{}, "not valid YAML: %s", firstLine(err.Error()))
	}
	if len(file.Docs) != 1 || file.Docs[0].Body == nil {
		return fail(Pos{Line: 1, Col: 1}, "file is empty; want a mapping with at least role and discovered")
	}
	in := &Input{file: name, pos: map[string]Pos{}, DiscoveredMinute: -1, Exception: ExceptionNone}
	p.in = in
	p.top(file.Docs[0].Body)
	if len(p.errs) == 0 {
		p.check()
	}
	if len(p.errs) > 0 {
		return nil, p.errs.sorted()
	}
	return in, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func pairs(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// fields walks a mapping, reporting unknown and duplicate keys, and calls
// set for each known one.
func (p *parseState) fields(n ast.Node, what string, known []string, set func(key string, k, v ast.Node)) bool {
	ps, ok := pairs(n)
	if !ok {
		p.errorf(n, "%s: want a mapping of keys to values, got %s", what, describe(n))
		return false
	}
	seen := map[string]bool{}
	for _, kv := range ps {
		key, _ := scalar(kv.Key)
		if seen[key] {
			p.errorf(kv.Key, "%s: duplicate key %q", what, key)
			continue
		}
		seen[key] = true
		found := false
		for _, k := range known {
			if k == key {
				found = true
				break
			}
		}
		if !found {
			p.errorf(kv.Key, "%s: unknown key %q; expected one of: %s", what, key, strings.Join(known, ", "))
			continue
		}
		set(key, kv.Key, kv.Value)
	}
	return true
}

var topKeys = []string{"role", "discovered", "discovered_time", "agent_discovered", "phi_secured",
	"exception", "low_probability", "affected", "insufficient_contact", "law_enforcement_delay", "clients"}

func (p *parseState) top(n ast.Node) {
	in := p.in
	p.fields(n, "incident", topKeys, func(key string, k, v ast.Node) {
		in.pos[key] = nodePos(k)
		switch key {
		case "role":
			s := p.text(v, key)
			switch Role(s) {
			case RoleCoveredEntity, RoleBusinessAssociate:
				in.Role = Role(s)
			default:
				p.errorf(v, "role: %q is not a role; want covered_entity or business_associate", s)
			}
		case "discovered":
			in.Discovered = p.date(v, key)
		case "discovered_time":
			in.DiscoveredMinute = p.clock(v, key)
		case "agent_discovered":
			in.AgentDiscovered = p.date(v, key)
		case "phi_secured":
			in.PHISecured = p.boolean(v, key)
		case "exception":
			s := p.text(v, key)
			switch Exception(s) {
			case ExceptionNone, ExceptionWorkforceGoodFaith, ExceptionInadvertentAuthorized, ExceptionCannotRetain:
				in.Exception = Exception(s)
			default:
				p.errorf(v, "exception: %q is not an exception; want none, workforce_good_faith, inadvertent_authorized or cannot_retain", s)
			}
		case "low_probability":
			in.LowProbability = p.boolean(v, key)
		case "affected":
			in.Affected = p.affected(v, key)
		case "insufficient_contact":
			in.InsufficientContact = p.count(v, key)
		case "law_enforcement_delay":
			in.LawEnforcementDelay = p.delay(v)
		case "clients":
			in.Clients = p.clients(v)
		}
	})
}

func (p *parseState) delay(n ast.Node) *Delay {
	d := &Delay{}
	var stmt, until ast.Node
	p.fields(n, "law_enforcement_delay", []string{"statement", "written", "until"}, func(key string, k, v ast.Node) {
		switch key {
		case "statement":
			stmt = k
			d.Statement = p.date(v, "law_enforcement_delay.statement")
		case "written":
			d.Written = p.boolean(v, "law_enforcement_delay.written")
		case "until":
			until = k
			d.Until = p.date(v, "law_enforcement_delay.until")
		}
	})
	if stmt == nil {
		p.errorf(n, "law_enforcement_delay: statement (the day the official made it) is required")
	}
	if d.Written && until == nil {
		p.errorf(n, "law_enforcement_delay: a written statement delays notice for the period it specifies (164.412(a)); give until")
	}
	if !d.Statement.IsZero() && !d.Until.IsZero() && d.Until.Before(d.Statement) {
		p.errorf(until, "law_enforcement_delay.until: %s is before the statement (%s)", d.Until, d.Statement)
	}
	return d
}

var clientKeys = []string{"id", "baa_notice_days", "baa_notice_hours", "agent", "affected", "insufficient_contact"}

func (p *parseState) clients(n ast.Node) []Client {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		p.errorf(n, "clients: want a list (lines starting with \"- \"), got %s", describe(n))
		return nil
	}
	if len(seq.Values) > maxClients {
		p.errorf(n, "clients: more than %d clients", maxClients)
		return nil
	}
	out := make([]Client, 0, len(seq.Values))
	ids := map[string]bool{}
	for i, item := range seq.Values {
		what := fmt.Sprintf("clients[%d]", i)
		c := Client{}
		var days, hours, idNode ast.Node
		p.fields(item, what, clientKeys, func(key string, k, v ast.Node) {
			switch key {
			case "id":
				idNode = v
				c.ID = p.text(v, what+".id")
			case "baa_notice_days":
				days = v
				c.BAANoticeDays = p.count(v, what+".baa_notice_days")
				if c.BAANoticeDays == 0 {
					p.errorf(v, "%s.baa_notice_days: want at least 1 day", what)
				}
			case "baa_notice_hours":
				hours = v
				c.BAANoticeHours = p.count(v, what+".baa_notice_hours")
				if c.BAANoticeHours == 0 {
					p.errorf(v, "%s.baa_notice_hours: want at least 1 hour", what)
				}
			case "agent":
				c.Agent = p.boolean(v, what+".agent")
			case "affected":
				c.Affected = p.affected(v, what+".affected")
			case "insufficient_contact":
				c.InsufficientContact = p.count(v, what+".insufficient_contact")
			}
		})
		switch {
		case idNode == nil:
			p.errorf(item, "%s: id is required", what)
		case strings.TrimSpace(c.ID) == "":
			p.errorf(idNode, "%s.id: must not be empty", what)
		case ids[c.ID]:
			p.errorf(idNode, "%s.id: %q is already used by another client", what, c.ID)
		}
		ids[c.ID] = true
		if days != nil && hours != nil {
			p.errorf(hours, "%s: give baa_notice_days or baa_notice_hours, not both", what)
		}
		if c.InsufficientContact > total(c.Affected) {
			p.errorf(item, "%s.insufficient_contact: %d is more than the %d individuals affected", what, c.InsufficientContact, total(c.Affected))
		}
		out = append(out, c)
	}
	return out
}

// check applies the rules that span keys.
func (p *parseState) check() {
	in := p.in
	at := func(key string) Pos { return in.pos[key] }
	if _, ok := in.pos["role"]; !ok {
		p.errorAt(Pos{Line: 1, Col: 1}, "role is required: covered_entity or business_associate")
	}
	if _, ok := in.pos["discovered"]; !ok {
		p.errorAt(Pos{Line: 1, Col: 1}, "discovered is required: the first day the breach was known, or would have been known with reasonable diligence (164.404(a)(2))")
	}
	switch in.Role {
	case RoleCoveredEntity:
		if _, ok := in.pos["clients"]; ok {
			p.errorAt(at("clients"), "clients: only a business_associate lists clients; a covered entity gives affected")
		}
		if in.InsufficientContact > total(in.Affected) {
			p.errorAt(at("insufficient_contact"), "insufficient_contact: %d is more than the %d individuals affected", in.InsufficientContact, total(in.Affected))
		}
		if !in.AgentDiscovered.IsZero() && in.Discovered.Before(in.AgentDiscovered) {
			// Harmless, but almost always a swapped pair of dates.
			p.errorAt(at("agent_discovered"), "agent_discovered: %s is after discovered (%s); the earlier day starts the clocks, so give it as discovered", in.AgentDiscovered, in.Discovered)
		}
	case RoleBusinessAssociate:
		for _, k := range []string{"affected", "insufficient_contact", "agent_discovered"} {
			if _, ok := in.pos[k]; ok {
				p.errorAt(at(k), "%s: a business_associate gives affected and insufficient_contact per client under clients (agent_discovered is for a covered entity)", k)
			}
		}
		if len(in.Clients) == 0 {
			p.errorAt(Pos{Line: 1, Col: 1}, "clients: a business_associate lists each covered entity whose PHI was involved (164.410)")
		}
	}
}

func (p *parseState) text(n ast.Node, what string) string {
	s, ok := scalar(n)
	if !ok {
		p.errorf(n, "%s: want a text value, got %s", what, describe(n))
	}
	return s
}

func (p *parseState) boolean(n ast.Node, what string) bool {
	b, ok := n.(*ast.BoolNode)
	if !ok {
		p.errorf(n, "%s: want true or false, got %s", what, describe(n))
		return false
	}
	return b.Value
}

func (p *parseState) date(n ast.Node, what string) Date {
	s, ok := scalar(n)
	if !ok {
		p.errorf(n, "%s: want a date YYYY-MM-DD, got %s", what, describe(n))
		return Date{}
	}
	d, ok := ParseDate(s)
	if !ok {
		p.errorf(n, "%s: %q is not a date; want YYYY-MM-DD", what, s)
	}
	return d
}

func (p *parseState) clock(n ast.Node, what string) int {
	s, ok := scalar(n)
	h, m, found := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || !found || len(h) != 2 || len(m) != 2 || err1 != nil || err2 != nil || hh > 23 || mm > 59 || hh < 0 || mm < 0 {
		p.errorf(n, "%s: want a time of day HH:MM (24-hour), got %s", what, describe(n))
		return -1
	}
	return hh*60 + mm
}

func (p *parseState) count(n ast.Node, what string) int {
	iv, ok := n.(*ast.IntegerNode)
	if !ok {
		p.errorf(n, "%s: want a whole number, got %s", what, describe(n))
		return 0
	}
	var x int64
	switch v := iv.Value.(type) {
	case int64:
		x = v
	case uint64:
		x = math.MaxInt64
		if v <= math.MaxInt64 {
			x = int64(v)
		}
	default:
		p.errorf(n, "%s: want a whole number, got %s", what, describe(n))
		return 0
	}
	if x < 0 || x > maxCount {
		p.errorf(n, "%s: want a whole number from 0 to %d, got %s", what, maxCount, iv.GetToken().Value)
		return 0
	}
	return int(x)
}

func (p *parseState) affected(n ast.Node, what string) map[string]int {
	out := map[string]int{}
	ps, ok := pairs(n)
	if !ok {
		p.errorf(n, "%s: want a mapping of State codes to individuals (NY: 120), got %s", what, describe(n))
		return out
	}
	for _, kv := range ps {
		code, _ := scalar(kv.Key)
		if _, known := stateCodes[code]; !known {
			p.errorf(kv.Key, "%s: %q is not a State code; want a two-letter USPS code such as NY, DC or PR", what, code)
			continue
		}
		if _, dup := out[code]; dup {
			p.errorf(kv.Key, "%s: duplicate State %s", what, code)
			continue
		}
		out[code] = p.count(kv.Value, what+"."+code)
	}
	return out
}

func scalar(n ast.Node) (string, bool) {
	switch s := n.(type) {
	case *ast.StringNode:
		return s.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return n.GetToken().Value, true
	}
	return "", false
}

func describe(n ast.Node) string {
	switch n.(type) {
	case nil:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "an empty value"
	case *ast.BoolNode:
		return "true/false"
	case *ast.IntegerNode, *ast.FloatNode:
		return "the number " + n.GetToken().Value
	case *ast.StringNode:
		s, _ := scalar(n)
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return strconv.Quote(s)
	}
	return strings.ToLower(n.Type().String())
}
