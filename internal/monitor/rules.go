package monitor

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// A rule file holds one or more YAML documents, each modelled on Sigma: a
// base rule (detection: named selections and a condition) or a correlation
// rule (correlation: event_count, value_count or temporal_ordered over
// named base or correlation rules, grouped by fields within a timespan).
// A document with an id (a catalogue number such as "D01") raises alerts;
// one without is a building block other rules refer to by name.
type ruleDoc struct {
	Name        string         `yaml:"name"`
	ID          string         `yaml:"id"`
	Title       string         `yaml:"title"`
	Level       string         `yaml:"level"`
	Citation    string         `yaml:"citation"`
	Description string         `yaml:"description"`
	References  []string       `yaml:"references"`
	Logsource   map[string]any `yaml:"logsource"`
	Detection   map[string]any `yaml:"detection"`
	Correlation *struct {
		Type      string            `yaml:"type"`
		Rules     []string          `yaml:"rules"`
		GroupBy   []string          `yaml:"group-by"`
		Timespan  string            `yaml:"timespan"`
		Field     string            `yaml:"field"`
		Condition map[string]string `yaml:"condition"`
		Suppress  string            `yaml:"suppress"`
	} `yaml:"correlation"`
}

// Rule is one loaded, compiled rule document.
type Rule struct {
	Name       string
	ID         string // catalogue detection ID; empty for building blocks
	Title      string
	Level      string
	Citation   string
	References []string
	File       string

	match func(*Event) bool // base rules

	// correlation rules
	kind      string // event_count, value_count, temporal_ordered
	sources   []string
	groupBy   []string
	timespan  time.Duration
	field     string
	threshold int // fires when the count reaches it (gte)
	suppress  time.Duration
}

// Correlation reports whether r is a correlation rule.
func (r *Rule) Correlation() bool { return r.kind != "" }

// Describe is a one-line account of the rule's logic for listings.
func (r *Rule) Describe() string {
	switch r.kind {
	case "event_count":
		return fmt.Sprintf("≥ %d %s by %s within %s", r.threshold, strings.Join(r.sources, ","), strings.Join(r.groupBy, ","), r.timespan)
	case "value_count":
		return fmt.Sprintf("≥ %d distinct %s in %s by %s within %s", r.threshold, r.field, strings.Join(r.sources, ","), strings.Join(r.groupBy, ","), r.timespan)
	case "temporal_ordered":
		return fmt.Sprintf("%s then %s by %s within %s", r.sources[0], r.sources[1], strings.Join(r.groupBy, ","), r.timespan)
	}
	return "single event"
}

//go:embed rules/*.yaml
var embedded embed.FS

// Builtin returns the shipped detections.
func Builtin() ([]*Rule, error) {
	rs, err := LoadFS(embedded, "rules")
	if err != nil {
		return nil, err
	}
	return rs, Link(rs)
}

// LoadFS loads every *.yaml file under dir of fsys, in name order. The
// rules may refer to rules loaded elsewhere; Link checks the final set.
func LoadFS(fsys fs.FS, dir string) ([]*Rule, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	sort.Strings(names)
	var all []*Rule
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("monitor: %w", err)
		}
		rs, err := ParseRules(path.Base(n), b)
		if err != nil {
			return nil, err
		}
		all = append(all, rs...)
	}
	return all, nil
}

// ParseRules reads the rule documents of one file. References between
// rules are checked by Link once every file is read.
func ParseRules(file string, data []byte) ([]*Rule, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField())
	var out []*Rule
	for i := 1; ; i++ {
		var d ruleDoc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("monitor: %s document %d: %w", file, i, err)
		}
		r, err := compile(&d)
		if err != nil {
			return nil, fmt.Errorf("monitor: %s document %d (%s): %w", file, i, d.Name, err)
		}
		r.File = file
		out = append(out, r)
	}
}

var levels = map[string]bool{"informational": true, "low": true, "medium": true, "high": true, "critical": true}

func compile(d *ruleDoc) (*Rule, error) {
	if d.Name == "" {
		return nil, errors.New("name is required")
	}
	r := &Rule{Name: d.Name, ID: d.ID, Title: d.Title, Level: d.Level, Citation: d.Citation, References: d.References}
	if d.ID != "" && (!levels[d.Level] || d.Citation == "" || d.Title == "") {
		return nil, errors.New("a rule with an id needs a title, a citation and a level (informational, low, medium, high, critical)")
	}
	switch {
	case d.Detection != nil && d.Correlation != nil:
		return nil, errors.New("a document is either a detection or a correlation, not both")
	case d.Detection != nil:
		m, err := compileDetection(d.Detection)
		if err != nil {
			return nil, fmt.Errorf("detection: %w", err)
		}
		r.match = m
	case d.Correlation != nil:
		c := d.Correlation
		r.kind, r.sources, r.groupBy, r.field = c.Type, c.Rules, c.GroupBy, c.Field
		var err error
		if r.timespan, err = parseSpan(c.Timespan); err != nil || r.timespan <= 0 {
			return nil, fmt.Errorf("correlation timespan %q: want a number and s, m, h or d", c.Timespan)
		}
		if c.Suppress != "" {
			if r.suppress, err = parseSpan(c.Suppress); err != nil {
				return nil, fmt.Errorf("correlation suppress %q: want a number and s, m, h or d", c.Suppress)
			}
		}
		switch c.Type {
		case "event_count", "value_count":
			if len(c.Rules) == 0 {
				return nil, errors.New("correlation needs rules")
			}
			if c.Type == "value_count" && c.Field == "" {
				return nil, errors.New("value_count needs a field")
			}
			if r.threshold, err = threshold(c.Condition); err != nil {
				return nil, err
			}
		case "temporal_ordered":
			if len(c.Rules) != 2 {
				return nil, errors.New("temporal_ordered takes exactly two rules, first then second")
			}
			if len(c.Condition) != 0 {
				return nil, errors.New("temporal_ordered takes no condition")
			}
		default:
			// Sigma says a backend must refuse what it cannot express:
			// temporal (unordered) and value_sum are not built.
			return nil, fmt.Errorf("correlation type %q is not supported (event_count, value_count, temporal_ordered)", c.Type)
		}
	default:
		return nil, errors.New("a document needs detection or correlation")
	}
	return r, nil
}

// threshold reads a Sigma condition. Only lower bounds can fire as events
// arrive; an upper bound ("fewer than 3 in an hour") needs a timer, which
// is not built, so it is refused rather than silently never firing.
func threshold(c map[string]string) (int, error) {
	if len(c) != 1 {
		return 0, errors.New("correlation condition needs exactly one of gte, gt")
	}
	for op, v := range c {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("correlation condition %s: %q is not a positive whole number", op, v)
		}
		switch op {
		case "gte":
			return n, nil
		case "gt":
			return n + 1, nil
		default:
			return 0, fmt.Errorf("correlation condition %q is not supported (gte, gt)", op)
		}
	}
	return 0, nil
}

func parseSpan(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, errors.New("short")
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 {
		return 0, errors.New("bad number")
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, errors.New("bad unit")
	}
	return time.Duration(n) * unit, nil
}

// Link checks that every correlation names rules that exist and that no
// name is used twice.
func Link(rules []*Rule) error {
	byName := make(map[string]*Rule, len(rules))
	for _, r := range rules {
		if byName[r.Name] != nil {
			return fmt.Errorf("monitor: %s: rule name %q is used twice", r.File, r.Name)
		}
		byName[r.Name] = r
	}
	for _, r := range rules {
		for _, s := range r.sources {
			if byName[s] == nil {
				return fmt.Errorf("monitor: %s: rule %q refers to unknown rule %q", r.File, r.Name, s)
			}
			if s == r.Name {
				return fmt.Errorf("monitor: %s: rule %q refers to itself", r.File, r.Name)
			}
		}
	}
	return nil
}

// compileDetection turns named selections and a condition into a matcher.
func compileDetection(det map[string]any) (func(*Event) bool, error) {
	cond, ok := det["condition"].(string)
	if !ok || strings.TrimSpace(cond) == "" {
		return nil, errors.New("condition is required")
	}
	sels := make(map[string]func(*Event) bool, len(det))
	for name, v := range det {
		if name == "condition" {
			continue
		}
		m, err := compileSelection(v)
		if err != nil {
			return nil, fmt.Errorf("selection %s: %w", name, err)
		}
		sels[name] = m
	}
	p := &condParser{toks: tokenize(cond), sels: sels}
	m, err := p.expr()
	if err != nil {
		return nil, fmt.Errorf("condition %q: %w", cond, err)
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("condition %q: unexpected %q", cond, p.toks[p.pos])
	}
	return m, nil
}

// compileSelection reads a map of field conditions (all must hold) or a
// list of such maps (any may hold).
func compileSelection(v any) (func(*Event) bool, error) {
	switch x := v.(type) {
	case map[string]any:
		var conds []func(*Event) bool
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c, err := compileField(k, x[k])
			if err != nil {
				return nil, err
			}
			conds = append(conds, c)
		}
		return func(e *Event) bool {
			for _, c := range conds {
				if !c(e) {
					return false
				}
			}
			return true
		}, nil
	case []any:
		var alts []func(*Event) bool
		for _, item := range x {
			m, err := compileSelection(item)
			if err != nil {
				return nil, err
			}
			alts = append(alts, m)
		}
		return func(e *Event) bool {
			for _, a := range alts {
				if a(e) {
					return true
				}
			}
			return false
		}, nil
	}
	return nil, fmt.Errorf("want a map of fields or a list of maps, got %T", v)
}

// compileField reads "field|modifier|all: value or [values]". Values are
// alternatives unless |all is given; comparison ignores case, as in Sigma,
// except for |re, which is the pattern as written ((?i) to fold case).
func compileField(key string, v any) (func(*Event) bool, error) {
	parts := strings.Split(key, "|")
	field, mods := parts[0], parts[1:]
	all := false
	op := "eq"
	for _, m := range mods {
		switch m {
		case "all":
			all = true
		case "contains", "startswith", "endswith", "re", "cidr", "exists":
			if op != "eq" {
				return nil, fmt.Errorf("%s: one comparison modifier at most", key)
			}
			op = m
		default:
			return nil, fmt.Errorf("%s: unknown modifier %q (contains, startswith, endswith, re, cidr, exists, all)", key, m)
		}
	}
	var vals []string
	switch x := v.(type) {
	case []any:
		for _, item := range x {
			vals = append(vals, scalar(item))
		}
	default:
		vals = []string{scalar(x)}
	}
	if op == "exists" {
		want := len(vals) == 1 && (vals[0] == "true")
		if len(vals) != 1 || (vals[0] != "true" && vals[0] != "false") {
			return nil, fmt.Errorf("%s: exists takes true or false", key)
		}
		return func(e *Event) bool { _, ok := e.Field(field); return ok == want }, nil
	}
	tests := make([]func(string) bool, 0, len(vals))
	for _, want := range vals {
		want := want
		lw := strings.ToLower(want)
		switch op {
		case "eq":
			tests = append(tests, func(s string) bool { return strings.EqualFold(s, want) })
		case "contains":
			tests = append(tests, func(s string) bool { return strings.Contains(strings.ToLower(s), lw) })
		case "startswith":
			tests = append(tests, func(s string) bool { return len(s) >= len(want) && strings.EqualFold(s[:len(want)], want) })
		case "endswith":
			tests = append(tests, func(s string) bool { return len(s) >= len(want) && strings.EqualFold(s[len(s)-len(want):], want) })
		case "re":
			re, err := regexp.Compile(want)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			tests = append(tests, re.MatchString)
		case "cidr":
			p, err := netip.ParsePrefix(want)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			p = p.Masked()
			tests = append(tests, func(s string) bool {
				a, err := netip.ParseAddr(s)
				return err == nil && p.Contains(a.Unmap())
			})
		}
	}
	return func(e *Event) bool {
		s, ok := e.Field(field)
		if !ok {
			return false
		}
		for _, t := range tests {
			if t(s) != all {
				return !all
			}
		}
		return all
	}, nil
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case uint64:
		return strconv.FormatUint(x, 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func tokenize(s string) []string {
	s = strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s)
	return strings.Fields(s)
}

// condParser reads: expr = and {"or" and}; and = not {"and" not};
// not = "not" not | "(" expr ")" | ("1"|"all") "of" pattern | name.
type condParser struct {
	toks []string
	pos  int
	sels map[string]func(*Event) bool
}

func (p *condParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *condParser) expr() (func(*Event) bool, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek() == "or" {
		p.pos++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(e *Event) bool { return a(e) || b(e) }
	}
	return l, nil
}

func (p *condParser) and() (func(*Event) bool, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.peek() == "and" {
		p.pos++
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(e *Event) bool { return a(e) && b(e) }
	}
	return l, nil
}

func (p *condParser) not() (func(*Event) bool, error) {
	t := p.peek()
	switch {
	case t == "":
		return nil, errors.New("ends early")
	case t == "not":
		p.pos++
		m, err := p.not()
		if err != nil {
			return nil, err
		}
		return func(e *Event) bool { return !m(e) }, nil
	case t == "(":
		p.pos++
		m, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, errors.New("missing )")
		}
		p.pos++
		return m, nil
	case (t == "1" || t == "all") && p.pos+2 < len(p.toks)+1 && p.pos+1 < len(p.toks) && p.toks[p.pos+1] == "of":
		if p.pos+2 >= len(p.toks) {
			return nil, errors.New("of what?")
		}
		pat := p.toks[p.pos+2]
		p.pos += 3
		var ms []func(*Event) bool
		names := make([]string, 0, len(p.sels))
		for n := range p.sels {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if pat == "them" || n == pat || strings.HasSuffix(pat, "*") && strings.HasPrefix(n, strings.TrimSuffix(pat, "*")) {
				ms = append(ms, p.sels[n])
			}
		}
		if len(ms) == 0 {
			return nil, fmt.Errorf("%q names no selection", pat)
		}
		if t == "1" {
			return func(e *Event) bool {
				for _, m := range ms {
					if m(e) {
						return true
					}
				}
				return false
			}, nil
		}
		return func(e *Event) bool {
			for _, m := range ms {
				if !m(e) {
					return false
				}
			}
			return true
		}, nil
	}
	m := p.sels[t]
	if m == nil {
		return nil, fmt.Errorf("no selection named %q", t)
	}
	p.pos++
	return m, nil
}
