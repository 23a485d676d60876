package web

import (
	"context"
	"sync"

	"rcmguard/internal/assess"
	"rcmguard/internal/store"
)

// The dashboard, the register, the plan and the portfolio all show the
// latest assessment's result. For a billing company with 10,000 risks that
// result is about 40 MB of JSON, and decoding it took most of a second: on
// every page view, for every user. A result is written once, with its
// assessment, and never rewritten (signing off freezes the row, and the
// server has no other path that changes it), so a decoded result can be
// kept by assessment ID and shared by every request, on one app server or
// several in front of one PostgreSQL.
//
// Handlers that get a result from the cache must treat it as read-only.

// Bounds of the cache: a result is held while it is among the most
// recently used resultCacheEntries and their JSON adds up to at most
// resultCacheBytes (a decoded result takes a little more memory than its
// JSON). Summaries are tiny and kept for every assessment seen.
const (
	resultCacheEntries = 32
	resultCacheBytes   = 256 << 20
)

// resultSummary is what the history needs of each assessment.
type resultSummary struct {
	Open, Risks int
	Highest     string
}

type cachedResult struct {
	ready chan struct{} // closed once res or err is set
	res   *assess.Result
	err   error
	size  int
	used  uint64 // the cache's clock at the last use, for eviction
}

type resultCache struct {
	mu        sync.Mutex
	clock     uint64
	bytes     int
	results   map[int64]*cachedResult
	summaries map[int64]resultSummary
}

// result returns the decoded result of assessment a (of which only the ID
// and workspace are used). Concurrent requests for a result not yet cached
// wait for one load instead of each decoding it.
func (s *Server) result(ctx context.Context, a store.Assessment) (*assess.Result, error) {
	c := s.results
	c.mu.Lock()
	c.clock++
	if e, ok := c.results[a.ID]; ok {
		e.used = c.clock
		c.mu.Unlock()
		select {
		case <-e.ready:
			return e.res, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	e := &cachedResult{ready: make(chan struct{}), used: c.clock}
	c.results[a.ID] = e
	c.mu.Unlock()

	// The load is not tied to this request's context: others may be
	// waiting for it.
	data, err := s.st.AssessmentResult(context.WithoutCancel(ctx), a.WorkspaceID, a.ID)
	if err == nil {
		a.ResultJSON = data
		e.res, err = decodeResult(a)
	}
	e.err, e.size = err, len(data)

	c.mu.Lock()
	if err != nil {
		// Failures are not remembered: the next request tries again.
		delete(c.results, a.ID)
	} else {
		c.summaries[a.ID] = resultSummary{Open: e.res.Summary.Open, Risks: e.res.Summary.Risks, Highest: e.res.Summary.Highest}
		c.bytes += e.size
		c.evict(a.ID)
	}
	c.mu.Unlock()
	close(e.ready)
	return e.res, e.err
}

// evict drops the least recently used results, never keep, until the
// cache is within its bounds. It is called with mu held.
func (c *resultCache) evict(keep int64) {
	for len(c.results) > resultCacheEntries || c.bytes > resultCacheBytes {
		var victim int64
		var oldest *cachedResult
		for id, e := range c.results {
			if id == keep || !isReady(e) {
				continue
			}
			if oldest == nil || e.used < oldest.used {
				victim, oldest = id, e
			}
		}
		if oldest == nil {
			return
		}
		delete(c.results, victim)
		c.bytes -= oldest.size
	}
}

func isReady(e *cachedResult) bool {
	select {
	case <-e.ready:
		return true
	default:
		return false
	}
}

// summary returns the counts the history shows for assessment a, decoding
// its result only the first time.
func (s *Server) summary(ctx context.Context, a store.Assessment) (resultSummary, error) {
	s.results.mu.Lock()
	sum, ok := s.results.summaries[a.ID]
	s.results.mu.Unlock()
	if ok {
		return sum, nil
	}
	res, err := s.result(ctx, a)
	if err != nil {
		return resultSummary{}, err
	}
	return resultSummary{Open: res.Summary.Open, Risks: res.Summary.Risks, Highest: res.Summary.Highest}, nil
}
