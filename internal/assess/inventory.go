package assess

import (
	"sort"

	"rcmguard/internal/evidence"
	"rcmguard/internal/model"
	"rcmguard/internal/risk"
	"rcmguard/internal/rules"
)

// stages returns the workflow stages in swimlane order: the standard six,
// with each custom stage placed after the stage it names (or at the end).
func stages(m *model.Model) []Stage {
	var out []Stage
	for _, id := range model.StandardStages {
		out = append(out, Stage{ID: id, Title: model.StageTitles[id]})
	}
	for _, c := range m.Stages {
		pos := len(out)
		for i, s := range out {
			if s.ID == c.After {
				pos = i + 1
			}
		}
		out = append(out[:pos], append([]Stage{{ID: c.ID, Title: c.Title}}, out[pos:]...)...)
	}
	return out
}

func inventory(m *model.Model, g *rules.Graph, rs []Risk) Inventory {
	inv := Inventory{Stages: stages(m)}
	openBy := map[string]int{}
	highest := map[string]risk.Level{}
	for _, r := range rs {
		if !r.Open() {
			continue
		}
		for _, e := range r.Elements {
			openBy[e.ID]++
			if l, ok := highest[e.ID]; !ok || r.Level > l {
				highest[e.ID] = r.Level
			}
		}
	}
	hi := func(id string) string {
		if l, ok := highest[id]; ok {
			return l.Slug()
		}
		return ""
	}
	sysName := map[string]string{}
	for _, e := range g.Elements[rules.KindSystem] {
		v := e.View
		id := e.IDs[0]
		sysName[id] = v["name"].(string)
		inv.Systems = append(inv.Systems, SystemRow{ID: id, Name: v["name"].(string), Kind: v["kind"].(string),
			Hosting: v["hosting"].(string), Vendor: v["vendor"].(string), MFA: v["mfa"].(string), PHI: v["stores_phi"].(bool),
			InternetFacing: v["internet_facing"].(bool), Encrypted: v["encryption_at_rest"].(string), Risks: openBy[id], Highest: hi(id)})
	}
	for i, e := range g.Elements[rules.KindData] {
		v := e.View
		d := m.Data[i]
		inv.Data = append(inv.Data, DataRow{ID: d.ID, Name: d.Name, Kind: v["kind"].(string), Sensitivity: v["sensitivity"].(string),
			PHI: v["phi"].(bool), Records: d.Records})
	}
	for i, e := range g.Elements[rules.KindFlow] {
		v := e.View
		f := m.Flows[i]
		inv.Flows = append(inv.Flows, FlowRow{ID: f.ID, From: f.From, To: f.To, FromName: sysName[f.From], ToName: sysName[f.To],
			Channel: string(f.Channel), Stage: f.Stage, Auth: v["auth"].(string), Encrypted: v["encrypted"].(bool),
			PHI: v["carries_phi"].(bool), Automated: v["automated"].(bool), Data: f.Data, Risks: openBy[f.ID], Highest: hi(f.ID)})
	}
	for i, e := range g.Elements[rules.KindVendor] {
		v := e.View
		vd := m.Vendors[i]
		inv.Vendors = append(inv.Vendors, VendorRow{ID: vd.ID, Name: vd.Name, BAA: v["baa_status"].(string), Expires: string(vd.BAA.Expires),
			PHI: v["phi_access"].(bool), Offshore: v["offshore"].(bool), Services: nonNil(vd.Services), Risks: openBy[vd.ID]})
	}
	for _, r := range m.Roles {
		var systems []string
		for _, a := range r.Access {
			systems = append(systems, a.System)
		}
		loc := string(r.Location)
		if loc == "" {
			loc = "onsite"
		}
		tk := string(r.Training.Kind)
		if tk == "" {
			tk = "unknown"
		}
		inv.Roles = append(inv.Roles, RoleRow{ID: r.ID, Name: r.Name, Kind: string(r.Kind), Location: loc, Training: tk,
			Headcount: r.Headcount, Systems: nonNil(systems)})
	}
	for _, s := range m.Workflow {
		inv.Steps = append(inv.Steps, StepRow{ID: s.ID, Stage: s.Stage, Role: s.Role, System: s.System, Action: s.Action, Flows: s.Flows})
	}
	for i, e := range g.Elements[rules.KindClient] {
		c := m.Clients[i]
		inv.Clients = append(inv.Clients, ClientRow{ID: c.ID, Name: c.Name, BAA: e.View["baa_status"].(string), Expires: string(c.BAA.Expires), Patients: c.Patients})
	}
	return inv
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func evidenceSummary(facts []evidence.Fact, g *rules.Graph) EvidenceSummary {
	es := EvidenceSummary{Facts: len(facts), BySource: map[string]int{}, Unmatched: g.Unmatched, Observed: []ObservedOnElem{}}
	for _, f := range facts {
		es.BySource[string(f.Source)]++
	}
	if es.Unmatched == nil {
		es.Unmatched = []evidence.Fact{}
	}
	for _, k := range []rules.Kind{rules.KindSystem, rules.KindFlow} {
		for _, e := range g.Elements[k] {
			obs, _ := e.View["observed"].([]string)
			if len(obs) > 0 {
				es.Observed = append(es.Observed, ObservedOnElem{Element: e.Label, Checks: obs})
			}
		}
	}
	sort.SliceStable(es.Observed, func(i, j int) bool { return es.Observed[i].Element < es.Observed[j].Element })
	return es
}
