package monitor

import (
	"sort"
	"strings"
	"time"
)

// Alert is one detection firing.
type Alert struct {
	Detection string            `json:"detection"`
	Title     string            `json:"title"`
	Severity  string            `json:"severity"`
	Citation  string            `json:"citation"`
	Rule      string            `json:"rule"`
	User      string            `json:"user,omitempty"`
	SrcIP     string            `json:"source_ip,omitempty"`
	Group     map[string]string `json:"group,omitempty"`
	First     time.Time         `json:"first"`
	Last      time.Time         `json:"last"`
	Count     int               `json:"count"`
	Evidence  []Event           `json:"evidence"`
}

// Limits bound what the engine keeps.
type Limits struct {
	// MaxGroups caps the open windows per correlation rule; past it the
	// oldest windows are dropped and counted in EngineStats.Dropped.
	MaxGroups int
	// MaxEvidence caps the events an alert carries (the most recent).
	MaxEvidence int
}

// DefaultLimits keeps 1,000,000 windows per rule and 10 evidence events.
func DefaultLimits() Limits { return Limits{MaxGroups: 1_000_000, MaxEvidence: 10} }

// EngineStats counts the engine's work and any state it had to drop.
type EngineStats struct {
	Events  int64 `json:"events"`
	Alerts  int64 `json:"alerts"`
	Dropped int64 `json:"dropped_windows"` // windows evicted by MaxGroups before they expired
}

// Engine evaluates rules over events in time order. Windows are sliding
// and measured on event timestamps, never the wall clock: an event at t
// counts in a window together with the group's earlier events at or after
// t − timespan. When a correlation fires its window is emptied, so the
// next alert needs a full count again, and matches for that group are
// ignored until suppress has passed after the alert's last event. Every
// correlation keeps its own state (a firing never hides an event from a
// sibling rule).
type Engine struct {
	lim     Limits
	base    []*Rule                 // base rules, in load order
	corrs   map[string][]*corrState // correlations fed by a rule name
	order   []*corrState
	stats   EngineStats
	lastT   time.Time
	sweepAt int64
}

type entry struct {
	t     time.Time
	value string
	ev    *Event // nil once past MaxEvidence
}

type window struct {
	entries  []entry
	quietTil time.Time // suppression end
	last     time.Time
}

type corrState struct {
	r       *Rule
	groups  map[string]*window
	pending map[string]pending // temporal_ordered: the first rule's latest match per group
	sweptAt time.Time
}

// pending is a temporal_ordered rule's first half, waiting for its second.
type pending struct {
	at       time.Time // when the first rule matched (or its correlation fired)
	first    time.Time // the earliest event behind it
	count    int
	evidence []Event
}

// NewEngine prepares rules (already linked) for evaluation.
func NewEngine(rules []*Rule, lim Limits) *Engine {
	if lim.MaxGroups <= 0 {
		lim.MaxGroups = DefaultLimits().MaxGroups
	}
	if lim.MaxEvidence <= 0 {
		lim.MaxEvidence = DefaultLimits().MaxEvidence
	}
	e := &Engine{lim: lim, corrs: make(map[string][]*corrState)}
	for _, r := range rules {
		if !r.Correlation() {
			e.base = append(e.base, r)
			continue
		}
		cs := &corrState{r: r, groups: make(map[string]*window)}
		e.order = append(e.order, cs)
		for _, s := range r.sources {
			e.corrs[s] = append(e.corrs[s], cs)
		}
	}
	return e
}

// Stats returns the counts so far.
func (e *Engine) Stats() EngineStats { return e.stats }

// Process evaluates one event and returns the alerts it completes.
func (e *Engine) Process(ev *Event) []Alert {
	e.stats.Events++
	if ev.Time.After(e.lastT) {
		e.lastT = ev.Time
	}
	var out []Alert
	var kept *Event // one copy shared by every window the event enters
	for _, r := range e.base {
		if !r.match(ev) {
			continue
		}
		if r.ID != "" {
			out = append(out, e.alert(r, nil, []entry{{t: ev.Time, ev: ev}}, 1))
		}
		if len(e.corrs[r.Name]) == 0 {
			continue
		}
		if kept == nil {
			c := *ev
			kept = &c
		}
		out = e.feed(r.Name, kept, nil, out)
	}
	if e.stats.Events-e.sweepAt >= 4096 {
		e.sweep()
	}
	e.stats.Alerts += int64(len(out))
	return out
}

// feed passes a match of rule name (an event, or a correlation that fired
// with its alert) to the correlations built on it.
func (e *Engine) feed(name string, ev *Event, fired *Alert, out []Alert) []Alert {
	for _, cs := range e.corrs[name] {
		if a, ok := cs.add(e, name, ev, fired); ok {
			if cs.r.ID != "" {
				out = append(out, a)
			}
			out = e.feed(cs.r.Name, ev, &a, out)
		}
	}
	return out
}

func groupKey(r *Rule, ev *Event) (string, bool) {
	var b strings.Builder
	for i, f := range r.groupBy {
		v, ok := ev.Field(f)
		if !ok || v == "" {
			return "", false // an event without the grouping field cannot be placed
		}
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(strings.ToLower(v))
	}
	return b.String(), true
}

func (cs *corrState) add(e *Engine, from string, ev *Event, fired *Alert) (Alert, bool) {
	r := cs.r
	key, ok := groupKey(r, ev)
	if !ok {
		return Alert{}, false
	}
	t := ev.Time
	if r.kind == "temporal_ordered" {
		if from == r.sources[0] {
			p := pending{at: t, first: t, count: 1, evidence: []Event{*ev}}
			if fired != nil {
				p.first, p.count, p.evidence = fired.First, fired.Count, fired.Evidence
			}
			if cs.pending == nil {
				cs.pending = make(map[string]pending)
			}
			cs.pending[key] = p
			if len(cs.pending) > e.lim.MaxGroups {
				e.evictPending(cs)
			}
			return Alert{}, false
		}
		p, ok := cs.pending[key]
		if !ok || t.Sub(p.at) > r.timespan || t.Before(p.at) {
			return Alert{}, false
		}
		delete(cs.pending, key)
		a := e.alert(r, ev, []entry{{t: p.first}, {t: t}}, p.count+1)
		a.Evidence = append(append([]Event(nil), p.evidence...), *ev)
		if len(a.Evidence) > e.lim.MaxEvidence {
			a.Evidence = a.Evidence[len(a.Evidence)-e.lim.MaxEvidence:]
		}
		return a, true
	}
	w := cs.groups[key]
	if w == nil {
		if len(cs.groups) >= e.lim.MaxGroups {
			e.evictWindows(cs)
		}
		w = &window{}
		cs.groups[key] = w
	}
	if t.Before(w.quietTil) {
		return Alert{}, false
	}
	w.last = t
	// Slide: drop entries older than the timespan before t.
	cut := 0
	for cut < len(w.entries) && t.Sub(w.entries[cut].t) > r.timespan {
		cut++
	}
	if cut > 0 {
		w.entries = append(w.entries[:0], w.entries[cut:]...)
	}
	val := ""
	if r.kind == "value_count" {
		val, _ = ev.Field(r.field)
		val = strings.ToLower(val)
		if val == "" {
			return Alert{}, false
		}
		// Keep one entry per value, the most recent, so state stays
		// bounded by the threshold however often one value repeats.
		for i := range w.entries {
			if w.entries[i].value == val {
				w.entries = append(w.entries[:i], w.entries[i+1:]...)
				break
			}
		}
	}
	w.entries = append(w.entries, entry{t: t, value: val, ev: ev})
	// Evidence is kept for the most recent entries only.
	if n := len(w.entries) - e.lim.MaxEvidence - 1; n >= 0 {
		w.entries[n].ev = nil
	}
	if len(w.entries) < r.threshold {
		return Alert{}, false
	}
	a := e.alert(r, ev, w.entries, len(w.entries))
	w.entries = w.entries[:0]
	if r.suppress > 0 {
		w.quietTil = t.Add(r.suppress)
	}
	return a, true
}

func (e *Engine) alert(r *Rule, ev *Event, entries []entry, count int) Alert {
	a := Alert{Detection: r.ID, Title: r.Title, Severity: r.Level, Citation: r.Citation, Rule: r.Name, Count: count}
	a.First, a.Last = entries[0].t, entries[len(entries)-1].t
	for _, en := range entries {
		if en.ev != nil {
			a.Evidence = append(a.Evidence, *en.ev)
		}
	}
	if len(a.Evidence) > e.lim.MaxEvidence {
		a.Evidence = a.Evidence[len(a.Evidence)-e.lim.MaxEvidence:]
	}
	if len(r.groupBy) > 0 && ev != nil {
		a.Group = make(map[string]string, len(r.groupBy))
		for _, f := range r.groupBy {
			a.Group[f], _ = ev.Field(f)
		}
	}
	// User and address: the group's when grouped by them, else the one
	// every evidence event shares, else none.
	a.User, a.SrcIP = shared(a.Evidence, func(x *Event) string { return x.User }), shared(a.Evidence, func(x *Event) string { return x.SrcIP })
	if v, ok := a.Group["user"]; ok {
		a.User = v
	}
	if v, ok := a.Group["source_ip"]; ok {
		a.SrcIP = v
	}
	return a
}

func shared(evs []Event, f func(*Event) string) string {
	if len(evs) == 0 {
		return ""
	}
	v := f(&evs[0])
	for i := range evs[1:] {
		if f(&evs[i+1]) != v {
			return ""
		}
	}
	return v
}

// sweep drops windows whose newest entry and suppression have both passed
// out of reach of the newest event time, so state follows the active
// groups, not every group ever seen. A rule is swept only once event time
// has moved half its timespan on since its last sweep: no window can
// expire sooner, and sweeping a million 24 h windows every few thousand
// events made a million distinct addresses quadratic.
func (e *Engine) sweep() {
	e.sweepAt = e.stats.Events
	for _, cs := range e.order {
		if e.lastT.Sub(cs.sweptAt) < cs.r.timespan/2 {
			continue
		}
		cs.sweepNow(e.lastT)
	}
}

func (cs *corrState) sweepNow(now time.Time) {
	cs.sweptAt = now
	for k, w := range cs.groups {
		if now.Sub(w.last) > cs.r.timespan && !now.Before(w.quietTil) {
			delete(cs.groups, k)
		}
	}
	for k, p := range cs.pending {
		if now.Sub(p.at) > cs.r.timespan {
			delete(cs.pending, k)
		}
	}
}

// evictWindows makes room in a full rule: expired windows first, then the
// least recently active quarter, counted as dropped.
func (e *Engine) evictWindows(cs *corrState) {
	cs.sweepNow(e.lastT)
	if len(cs.groups) < e.lim.MaxGroups {
		return
	}
	type kv struct {
		k string
		t time.Time
	}
	all := make([]kv, 0, len(cs.groups))
	for k, w := range cs.groups {
		all = append(all, kv{k, w.last})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].t.Before(all[j].t) })
	n := max(1, len(all)/4)
	for _, x := range all[:n] {
		delete(cs.groups, x.k)
	}
	e.stats.Dropped += int64(n)
}

// evictPending makes room for a full temporal_ordered rule: expired halves
// first, then arbitrary ones, counted as dropped.
func (e *Engine) evictPending(cs *corrState) {
	cs.sweepNow(e.lastT)
	for k := range cs.pending {
		if len(cs.pending) <= e.lim.MaxGroups*3/4 {
			break
		}
		delete(cs.pending, k)
		e.stats.Dropped++
	}
}
