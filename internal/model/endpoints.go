package model

import "sort"

// EndpointRef is a network endpoint declared in the model, with the element
// that declares it.
type EndpointRef struct {
	Protocol string // tls, ssh, ftp or smtp
	Address  string // host:port
	Element  string // ID of the system or flow declaring it
}

// Endpoints lists every endpoint declared by systems and flows, sorted and
// without duplicates (the same address may be declared by a system and by
// a flow to it; both declarations are kept, one per element).
func (m *Model) Endpoints() []EndpointRef {
	var out []EndpointRef
	seen := map[EndpointRef]bool{}
	add := func(e Endpoint, elem string) {
		r := EndpointRef{Protocol: string(e.Protocol), Address: e.Address, Element: elem}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, s := range m.Systems {
		for _, e := range s.Endpoints {
			add(e, s.ID)
		}
	}
	for _, f := range m.Flows {
		if f.Endpoint != nil {
			add(*f.Endpoint, f.ID)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Address != out[j].Address {
			return out[i].Address < out[j].Address
		}
		if out[i].Protocol != out[j].Protocol {
			return out[i].Protocol < out[j].Protocol
		}
		return out[i].Element < out[j].Element
	})
	return out
}
