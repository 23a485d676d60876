package web

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"

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
