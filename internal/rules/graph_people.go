package rules

import (
	"fmt"
	"slices"
	"strings"

	"rcmguard/internal/model"
)

// electronic reports whether a system holds its data electronically: not a
// filing room or mail tray, and not a store whose every data asset is on
// paper.
func (b *builder) electronic(s *model.System) bool {
	if s.Kind == "paper_records" {
		return false
	}
	if len(s.Data) == 0 {
		return true
	}
	for _, id := range s.Data {
		if d, ok := b.data[id]; !ok || d.Form != "paper" {
			return true
		}
	}
	return false
}

// paperOnly reports whether every data asset in ids is on paper.
func (b *builder) paperOnly(ids []string) bool {
	if len(ids) == 0 {
		return false
	}
	for _, id := range ids {
		if d, ok := b.data[id]; !ok || d.Form != "paper" {
			return false
		}
	}
	return true
}

// accountCounts are the accounts on a system that can still sign in: a
// disabled account is no exposure, one of unknown status is counted as it
// may be used.
type accountCounts struct{ shared, defaults int }

func (b *builder) accountCounts(s *model.System) accountCounts {
	var c accountCounts
	for _, a := range s.Accounts {
		if a.Status == "disabled" {
			continue
		}
		switch a.Kind {
		case "shared":
			c.shared++
		case "default":
			c.defaults++
		}
	}
	return c
}

type remote struct {
	methods    []string
	noMFA      int
	unknownMFA int
	exposed    bool
	rdp        bool
}

// remoteSummary folds a system's remote-access paths into what rules read.
// A port forward is reachable from the internet by definition; RDP and
// SSH are when the model says so.
func remoteSummary(list []model.Remote) remote {
	r := remote{methods: []string{}}
	for _, x := range list {
		if !slices.Contains(r.methods, string(x.Method)) {
			r.methods = append(r.methods, string(x.Method))
		}
		if x.Method == "none" {
			continue
		}
		switch {
		case x.MFA == nil:
			r.unknownMFA++
		case !*x.MFA:
			r.noMFA++
		}
		internet := x.Method == "port_forward" || (x.Internet != nil && *x.Internet && (x.Method == "rdp" || x.Method == "ssh"))
		r.exposed = r.exposed || internet
		r.rdp = r.rdp || (internet && x.Method == "rdp")
	}
	slices.Sort(r.methods)
	return r
}

// portableKinds are carried out of the office and lost or stolen there.
var portableKinds = map[model.SystemKind]bool{"mobile_device": true, "portable_media": true}

// askClient turns the controls a client runs on its own system — one a
// billing company only logs in to — into questions for that client: the
// rules about them stay quiet, since the risk is the client's to treat.
func (b *builder) askClient(e *Element, s *model.System) {
	who := "the client"
	for _, c := range b.m.Clients {
		if c.ID == s.Client {
			who = c.Name
		}
	}
	if s.Patching.Cadence == "" {
		e.unknown("patch_cadence", "patching.cadence", "164.308(a)(5)(ii)(B)",
			"Ask %s: how often is %s patched (it runs on their side)?", who, e.Label)
	}
	if s.AuditLog.Enabled == nil {
		e.unknown("audit_logging", "audit_log.enabled", "164.312(b)",
			"Ask %s: does %s record user activity, including ours, in an audit log they review?", who, e.Label)
	}
	if s.Backup.Enabled == nil {
		e.unknown("backup", "backup.enabled", "164.308(a)(7)(ii)(A)",
			"Ask %s: is %s backed up, and is a restore tested?", who, e.Label)
	}
}

// buildAccounts adds one element per account on system s (the i-th).
func (b *builder) buildAccounts(i int, s *model.System, ephi bool, sys *Element) {
	people := map[string]*model.Person{}
	for k := range b.m.People {
		people[b.m.People[k].ID] = &b.m.People[k]
	}
	used := map[string]bool{}
	for j := range s.Accounts {
		a := &s.Accounts[j]
		kind := string(a.Kind)
		if kind == "" {
			kind = "unknown"
			if a.Person != "" {
				kind = "person"
			}
		}
		status := string(a.Status)
		if status == "" {
			status = "unknown"
		}
		// The risk ID names the account by its username when that is an
		// ID-safe word (no "@" of an e-mail login), else by its person, else
		// by its place; one person's second account gets its place added.
		who := a.Username
		if !model.ValidID(who) {
			who = a.Person
		}
		if who == "" || used[who] {
			who = strings.TrimPrefix(strings.Join([]string{who, fmt.Sprintf("account-%d", j+1)}, "-"), "-")
		}
		used[who] = true
		left, daysLeft, beyond := false, -1, 0
		name := a.Username
		if name == "" {
			name = a.Person
		}
		if p := people[a.Person]; p != nil {
			name = p.Name
			if d, ok := p.End.DaysSince(b.now); ok && d > 0 {
				left, daysLeft = true, d
			}
			if len(p.Clients) > 0 {
				for _, c := range a.Clients {
					if !slices.Contains(p.Clients, c) {
						beyond++
					}
				}
			}
		}
		level := string(a.Level)
		v := map[string]any{
			"id": s.ID + "@" + who, "system": s.ID, "system_kind": string(s.Kind), "system_phi": ephi,
			"person": a.Person, "username": a.Username, "kind": kind, "status": status, "level": level,
			"person_left": left, "days_since_left": daysLeft, "days_since_last_used": daysSince(a.LastUsed, b.now),
			"clients": len(a.Clients), "clients_beyond_person": beyond, "client_hosted": s.Hosting == "client_hosted",
			"internet_facing": sys.View["internet_facing"], "offshore": sys.View["offshore"],
			"vendor_involved": kind == "vendor", "records": sys.View["records"], "max_sensitivity": sys.View["max_sensitivity"],
			"financial": sys.View["financial"], "observed": sys.View["observed"],
		}
		e := &Element{Kind: KindAccount, IDs: []string{s.ID, who}, Label: fmt.Sprintf("account %s (%s) on %s", orDash(a.Username), name, nameOf(s)),
			Path: fmt.Sprintf("systems[%d].accounts[%d]", i, j), View: v}
		if left && a.Status == "" {
			e.unknown("status", "status", "164.308(a)(3)(ii)(C)",
				"%s left %d day(s) ago: is their account on %s disabled?", name, daysLeft, nameOf(s))
		}
		b.add(e)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// testedKinds are the plans exercised (164.308(a)(7)(ii)(D), and incident
// response drills).
var testedKinds = map[model.PolicyKind]bool{"contingency_plan": true, "disaster_recovery": true, "emergency_mode": true, "incident_response": true}
