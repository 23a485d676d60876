package assess

import (
	"fmt"
	"runtime"
	"testing"

	"rcmguard/internal/model"
)

// scale returns a model with k copies of every element of m (IDs suffixed
// per copy, references kept inside each copy), standing for a billing
// company k times the size of the example.
func scale(m *model.Model, k int) *model.Model {
	out := *m
	out.Systems, out.Data, out.Flows, out.Vendors, out.Roles, out.Workflow, out.Clients = nil, nil, nil, nil, nil, nil, nil
	out.Tracking = nil
	for c := 0; c < k; c++ {
		sfx := fmt.Sprintf("-x%d", c)
		id := func(s string) string {
			if s == "" {
				return ""
			}
			return s + sfx
		}
		ids := func(list []string) []string {
			res := make([]string, len(list))
			for i, s := range list {
				res[i] = id(s)
			}
			return res
		}
		for _, s := range m.Systems {
			s.ID, s.Vendor, s.Data = id(s.ID), id(s.Vendor), ids(s.Data)
			if s.API != nil {
				api := *s.API
				api.ThirdParty = id(api.ThirdParty)
				s.API = &api
			}
			s.Client = ""
			out.Systems = append(out.Systems, s)
		}
		for _, d := range m.Data {
			d.ID = id(d.ID)
			out.Data = append(out.Data, d)
		}
		for _, f := range m.Flows {
			f.ID, f.From, f.To, f.Data = id(f.ID), id(f.From), id(f.To), ids(f.Data)
			out.Flows = append(out.Flows, f)
		}
		for _, v := range m.Vendors {
			v.ID = id(v.ID)
			out.Vendors = append(out.Vendors, v)
		}
		for _, r := range m.Roles {
			r.ID, r.Vendor = id(r.ID), id(r.Vendor)
			acc := make([]model.Access, len(r.Access))
			for i, a := range r.Access {
				a.System = id(a.System)
				acc[i] = a
			}
			r.Access = acc
			out.Roles = append(out.Roles, r)
		}
		for _, s := range m.Workflow {
			s.ID, s.Role, s.System, s.Data, s.Flows = id(s.ID), id(s.Role), id(s.System), ids(s.Data), ids(s.Flows)
			out.Workflow = append(out.Workflow, s)
		}
		for _, cl := range m.Clients {
			cl.ID = id(cl.ID)
			out.Clients = append(out.Clients, cl)
		}
	}
	return &out
}

func TestScaleKeepsReferences(t *testing.T) {
	m := scale(load(t, "../../examples/billing-company.yaml"), 3)
	res := runModel(t, m, nil)
	one := runModel(t, load(t, "../../examples/billing-company.yaml"), nil)
	if len(m.Clients) != 120 || len(res.Inventory.Flows) != 3*len(one.Inventory.Flows) {
		t.Fatalf("scaled model: %d clients, %d flows", len(m.Clients), len(res.Inventory.Flows))
	}
	// Element-level risks triple; organisation-level ones stay single.
	if len(res.Risks) <= 2*len(one.Risks) {
		t.Fatalf("3x model has %d risks vs %d", len(res.Risks), len(one.Risks))
	}
}

// BenchmarkAssess runs the whole analysis on the billing-company example at
// 1x, 10x and 100x (go test -bench Assess -benchmem ./internal/assess). The
// peak-heap metric is the live heap after the run, in MB.
func BenchmarkAssess(b *testing.B) {
	base := load(b, "../../examples/billing-company.yaml")
	set := ruleSet(b)
	for _, k := range []int{1, 10, 100} {
		m := scale(base, k)
		b.Run(fmt.Sprintf("%dx", k), func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			for i := 0; i < b.N; i++ {
				res, err := Run(Input{Model: m, Rules: set, Now: now})
				if err != nil {
					b.Fatal(err)
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak {
					peak = ms.HeapAlloc
				}
				if len(res.Risks) == 0 {
					b.Fatal("no risks")
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "heapMB")
			b.ReportMetric(float64(len(m.Systems)+len(m.Flows)+len(m.Roles)+len(m.Vendors)+len(m.Clients)), "elements")
		})
	}
}
