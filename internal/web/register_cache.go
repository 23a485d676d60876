package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"html/template"
	"sync"
	"sync/atomic"

	"rcmguard/internal/store"
)

// The register joins every risk of the latest result (10,000 for a large
// billing company) with the stored decisions. Building that join, and the
// lists of areas and owners for the filters, on every page view allocated
// megabytes and dominated the register's cost under load. The join depends
// only on the assessment and the decisions, so it is kept by assessment and
// a digest of the decisions: any decision added or changed — on this app
// server or another in front of the same PostgreSQL — changes the digest.
//
// Cached rows are shared by every request and must be treated as read-only.

const registerCacheEntries = 16

type registerJoin struct {
	rows          []riskRow
	areas, owners []string
	// html holds each row's rendered table row, indexed like rows and
	// filled the first time the row is shown: a row depends only on the
	// join, so it is rendered once instead of on every view, and the
	// template stays the single source of its markup and escaping.
	html []atomic.Pointer[template.HTML]
}

// rowHTML returns the table rows of shown (rows of this join, in any
// order), rendering with tpl those not rendered before.
func (j *registerJoin) rowHTML(tpl *template.Template, ws int64, shown []riskRow) ([]template.HTML, error) {
	out := make([]template.HTML, len(shown))
	var b bytes.Buffer
	for k, row := range shown {
		slot := &j.html[row.i]
		if h := slot.Load(); h != nil {
			out[k] = *h
			continue
		}
		b.Reset()
		if err := tpl.ExecuteTemplate(&b, "riskrow", registerRow{WS: ws, Row: row}); err != nil {
			return nil, err
		}
		h := template.HTML(b.String())
		slot.Store(&h)
		out[k] = h
	}
	return out, nil
}

// registerRow is what the "riskrow" template receives.
type registerRow struct {
	WS  int64
	Row riskRow
}

type registerKey struct {
	assessment int64
	decisions  [32]byte
}

type registerCache struct {
	mu      sync.Mutex
	entries map[registerKey]*registerJoin
	order   []registerKey // oldest first, for eviction
}

func (c *registerCache) get(k registerKey) (*registerJoin, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	j, ok := c.entries[k]
	return j, ok
}

func (c *registerCache) put(k registerKey, j *registerJoin) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[registerKey]*registerJoin{}
	}
	if _, ok := c.entries[k]; ok {
		return
	}
	c.entries[k] = j
	c.order = append(c.order, k)
	for len(c.order) > registerCacheEntries {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
}

// decisionsDigest fingerprints everything of the decisions the join reads.
func decisionsDigest(ds []store.RiskDecision) [32]byte {
	h := sha256.New()
	var n [8]byte
	for _, d := range ds {
		for _, s := range []string{d.RiskID, d.Status, d.Owner, fmtISO(d.Due)} {
			binary.BigEndian.PutUint64(n[:], uint64(len(s)))
			h.Write(n[:])
			h.Write([]byte(s))
		}
		binary.BigEndian.PutUint64(n[:], uint64(d.Updated.UnixNano()))
		h.Write(n[:])
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}
