package model

import (
	"fmt"
	"net"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	// The zone database goes into the binary, so that a time zone valid on
	// one server is valid on every other, whatever it has installed.
	_ "time/tzdata"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidID reports whether s may be an element ID: what risk IDs are built
// from, so that one never holds the "@" or "*" they are split and matched on.
func ValidID(s string) bool { return idPattern.MatchString(s) }

type validator struct {
	m      *Model
	errs   ErrorList
	ids    map[string]string // id -> path of its definition
	stages map[string]bool   // custom stage IDs, so a check is not a scan of them all
}

func (v *validator) errorf(path, format string, args ...any) {
	if len(v.errs) >= maxErrors {
		return
	}
	v.errs = append(v.errs, Error{File: v.m.path, Pos: v.m.PosOf(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// PosOf returns the position of a YAML path such as "flows[2].channel", or of
// its nearest ancestor that has one.
func (m *Model) PosOf(path string) Pos {
	for path != "" {
		if p, ok := m.positions[path]; ok {
			return p
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return Pos{}
}

// ErrorAt builds an error located at a YAML path, for checks made outside
// this package (for example answers that name an unknown catalog entry).
func (m *Model) ErrorAt(path, msg string) Error {
	return Error{File: m.path, Pos: m.PosOf(path), Path: path, Msg: msg}
}

// Path returns the file the model was loaded from.
func (m *Model) Path() string { return m.path }

func (m *Model) validate() ErrorList {
	v := &validator{m: m, ids: map[string]string{}}
	v.walkValues(reflect.ValueOf(m).Elem(), "")
	v.checkOrganization()
	v.collectIDs()
	v.checkReferences()
	v.checkDetails()
	return v.errs
}

// walkValues checks every enum and date field, wherever it sits.
func (v *validator) walkValues(rv reflect.Value, path string) {
	switch rv.Kind() {
	case reflect.Pointer:
		if !rv.IsNil() {
			v.walkValues(rv.Elem(), path)
		}
	case reflect.Struct:
		fields := structFields(rv.Type())
		for _, f := range fields.list {
			child := f.name
			if path != "" {
				child = path + "." + f.name
			}
			v.walkValues(rv.Field(f.index), child)
		}
	case reflect.Slice:
		for i := 0; i < rv.Len(); i++ {
			v.walkValues(rv.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.String:
		s := rv.String()
		if d, ok := rv.Interface().(Date); ok {
			if err := d.check(); err != nil {
				v.errorf(path, "%v", err)
			}
			return
		}
		if d, ok := rv.Interface().(Since); ok {
			if err := d.check(); err != nil {
				v.errorf(path, "%v", err)
			}
			return
		}
		if allowed := enumValues(rv.Interface()); allowed != nil && s != "" && !slices.Contains(allowed, s) {
			v.errorf(path, "unknown value %q; expected one of: %s", s, strings.Join(allowed, ", "))
		}
	}
}

func (v *validator) checkOrganization() {
	o := v.m.Organization
	if strings.TrimSpace(o.Name) == "" {
		v.errorf("organization.name", "must not be empty")
	}
	if o.Workforce < 1 {
		v.errorf("organization.workforce", "must be at least 1")
	}
	if o.TimeZone != "" {
		if _, err := time.LoadLocation(o.TimeZone); err != nil || o.TimeZone == "Local" {
			v.errorf("organization.time_zone", "%q is not a time zone; use an IANA name such as America/Chicago", o.TimeZone)
		}
	}
	if o.Kind == "billing_company" && len(v.m.Clients) == 0 {
		v.errorf("organization.kind", "a billing company lists the practices it serves under `clients:`")
	}
}

// collectIDs registers every element ID; IDs are unique across all kinds so
// that a risk ID such as "EDI-01@sftp-upload" names exactly one element.
func (v *validator) collectIDs() {
	add := func(kind string, i int, id string) {
		path := fmt.Sprintf("%s[%d].id", kind, i)
		if !idPattern.MatchString(id) {
			v.errorf(path, "invalid ID %q: use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)", id)
			return
		}
		if prev, dup := v.ids[id]; dup {
			p := v.m.PosOf(prev)
			v.errorf(path, "duplicate ID %q: already used at %s (line %d)", id, strings.TrimSuffix(prev, ".id"), p.Line)
			return
		}
		v.ids[id] = path
	}
	m := v.m
	for i, s := range m.Stages {
		if slices.Contains(StandardStages, s.ID) {
			v.errorf(fmt.Sprintf("stages[%d].id", i), "%q is a standard stage; custom stages need their own IDs", s.ID)
			continue
		}
		add("stages", i, s.ID)
	}
	for i, x := range m.Clients {
		add("clients", i, x.ID)
	}
	for i, x := range m.Systems {
		add("systems", i, x.ID)
	}
	for i, x := range m.Data {
		add("data", i, x.ID)
	}
	for i, x := range m.Flows {
		add("flows", i, x.ID)
	}
	for i, x := range m.Vendors {
		add("vendors", i, x.ID)
	}
	for i, x := range m.Roles {
		add("roles", i, x.ID)
	}
	for i, x := range m.Workflow {
		add("workflow", i, x.ID)
	}
	for i, x := range m.Policies {
		add("policies", i, x.ID)
	}
	for i, x := range m.People {
		add("people", i, x.ID)
	}
}

// ref checks that id names an element of the wanted kind.
func (v *validator) ref(path, id, kind string) {
	if id == "" {
		return
	}
	def, ok := v.ids[id]
	if !ok {
		v.errorf(path, "%q is not the ID of any %s", id, singular(kind))
		return
	}
	if !strings.HasPrefix(def, kind+"[") {
		v.errorf(path, "%q is defined at %s, which is not one of %s", id, strings.TrimSuffix(def, ".id"), kind)
	}
}

func singular(kind string) string {
	switch kind {
	case "data":
		return "data asset"
	case "workflow":
		return "workflow step"
	case "stages":
		return "custom stage"
	case "people":
		return "person"
	}
	return strings.TrimSuffix(kind, "s")
}

func (v *validator) stage(path, s string) {
	if s == "" || slices.Contains(StandardStages, s) {
		return
	}
	if v.stages == nil {
		v.stages = make(map[string]bool, len(v.m.Stages))
		for _, c := range v.m.Stages {
			v.stages[c.ID] = true
		}
	}
	if v.stages[s] {
		return
	}
	v.errorf(path, "unknown stage %q; expected one of: %s, or a custom stage under `stages:`", s, strings.Join(StandardStages, ", "))
}

func (v *validator) checkReferences() {
	m := v.m
	for i, s := range m.Stages {
		if s.After != "" {
			v.stage(fmt.Sprintf("stages[%d].after", i), s.After)
		}
	}
	for i, s := range m.Systems {
		p := fmt.Sprintf("systems[%d]", i)
		v.ref(p+".vendor", s.Vendor, "vendors")
		v.ref(p+".client", s.Client, "clients")
		for j, d := range s.Data {
			v.ref(fmt.Sprintf("%s.data[%d]", p, j), d, "data")
		}
		if s.API != nil {
			v.ref(p+".api.third_party", s.API.ThirdParty, "vendors")
		}
		for j, c := range s.Clients {
			v.ref(fmt.Sprintf("%s.clients[%d]", p, j), c, "clients")
		}
		users := map[string]bool{}
		for j, a := range s.Accounts {
			ap := fmt.Sprintf("%s.accounts[%d]", p, j)
			if a.Username != "" {
				if users[a.Username] {
					v.errorf(ap+".username", "duplicate username %q on %s", a.Username, s.ID)
				}
				users[a.Username] = true
			}
			v.ref(ap+".person", a.Person, "people")
			for k, c := range a.Clients {
				v.ref(fmt.Sprintf("%s.clients[%d]", ap, k), c, "clients")
			}
			if a.Person == "" && a.Username == "" {
				v.errorf(ap, "an account names its person or its username")
			}
			if a.Kind == "person" && a.Person == "" {
				v.errorf(ap+".kind", "an account of kind person names the person under `person:`")
			}
		}
	}
	for i, pe := range m.People {
		p := fmt.Sprintf("people[%d]", i)
		v.ref(p+".role", pe.Role, "roles")
		for j, c := range pe.Clients {
			v.ref(fmt.Sprintf("%s.clients[%d]", p, j), c, "clients")
		}
		if s, sok := pe.Start.Time(); sok {
			if e, eok := pe.End.Time(); eok && e.Before(s) {
				v.errorf(p+".end", "the last day %s is before the first day %s", pe.End, pe.Start)
			}
		}
	}
	for i, po := range m.Policies {
		for j, s := range po.Covers {
			v.ref(fmt.Sprintf("policies[%d].covers[%d]", i, j), s, "systems")
		}
	}
	for i, a := range m.Answers {
		if a.Element == "" {
			continue
		}
		if _, ok := v.ids[a.Element]; !ok {
			v.errorf(fmt.Sprintf("answers[%d].element", i), "%q is not the ID of any element of the model", a.Element)
		}
	}
	for i, f := range m.Flows {
		p := fmt.Sprintf("flows[%d]", i)
		v.ref(p+".from", f.From, "systems")
		v.ref(p+".to", f.To, "systems")
		if f.From != "" && f.From == f.To {
			v.errorf(p+".to", "a flow goes from one system to another; both ends are %q", f.From)
		}
		if len(f.Data) == 0 {
			v.errorf(p+".data", "a flow carries at least one data asset")
		}
		for j, d := range f.Data {
			v.ref(fmt.Sprintf("%s.data[%d]", p, j), d, "data")
		}
		v.stage(p+".stage", f.Stage)
	}
	for i, r := range m.Roles {
		p := fmt.Sprintf("roles[%d]", i)
		v.ref(p+".vendor", r.Vendor, "vendors")
		for j, a := range r.Access {
			v.ref(fmt.Sprintf("%s.access[%d].system", p, j), a.System, "systems")
		}
	}
	for i, s := range m.Workflow {
		p := fmt.Sprintf("workflow[%d]", i)
		v.stage(p+".stage", s.Stage)
		v.ref(p+".role", s.Role, "roles")
		v.ref(p+".system", s.System, "systems")
		for j, d := range s.Data {
			v.ref(fmt.Sprintf("%s.data[%d]", p, j), d, "data")
		}
		for j, f := range s.Flows {
			v.ref(fmt.Sprintf("%s.flows[%d]", p, j), f, "flows")
		}
	}
}

func (v *validator) checkDetails() {
	m := v.m
	checkEndpoint := func(path string, e Endpoint) {
		host, port, err := net.SplitHostPort(e.Address)
		if err != nil || host == "" {
			v.errorf(path+".address", "want host:port, got %q", e.Address)
			return
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			v.errorf(path+".address", "port %q is not a number from 1 to 65535", port)
		}
	}
	for i, s := range m.Systems {
		for j, e := range s.Endpoints {
			checkEndpoint(fmt.Sprintf("systems[%d].endpoints[%d]", i, j), e)
		}
	}
	for i, f := range m.Flows {
		p := fmt.Sprintf("flows[%d]", i)
		if f.Endpoint != nil {
			checkEndpoint(p+".endpoint", *f.Endpoint)
		}
		if f.MinTLS != "" && !slices.Contains(TLSVersions, f.MinTLS) {
			v.errorf(p+".min_tls", "unknown TLS version %q; expected one of: %s", f.MinTLS, strings.Join(TLSVersions, ", "))
		}
	}
	for i, r := range m.Roles {
		if r.Headcount < 1 {
			v.errorf(fmt.Sprintf("roles[%d].headcount", i), "must be at least 1")
		}
	}
	for i, a := range m.Answers {
		p := fmt.Sprintf("answers[%d]", i)
		if (a.Answer == "partial" || a.Answer == "not_applicable") && strings.TrimSpace(a.Note) == "" {
			v.errorf(p+".note", "a %s answer needs a note explaining it", a.Answer)
		}
	}
	for i, t := range m.Tracking {
		p := fmt.Sprintf("tracking[%d]", i)
		if strings.TrimSpace(t.Risk) == "" {
			v.errorf(p+".risk", "must name a risk ID")
		}
		switch t.Status {
		case "accepted":
			if t.Approver == "" {
				v.errorf(p+".approver", "an accepted risk needs an approver")
			}
			if t.Expires.IsZero() {
				v.errorf(p+".expires", "an accepted risk needs an expiry date, after which it is reviewed again")
			}
			fallthrough
		case "mitigated", "false_positive":
			if strings.TrimSpace(t.Justification) == "" {
				v.errorf(p+".justification", "status %s needs a justification", t.Status)
			}
		}
	}
}
