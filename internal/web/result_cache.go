package web

import (
	"context"

	"rcmguard/internal/assess"
	"rcmguard/internal/cache"
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
// JSON). The history's summaries are tiny, but one is kept per assessment
// seen, so they are bounded too.
const (
	resultCacheEntries  = 32
	resultCacheBytes    = 256 << 20
	summaryCacheEntries = 4096
)

// resultSummary is what the history needs of each assessment.
type resultSummary struct {
	Open, Risks int
	Highest     string
}

// cachedResult is a result being loaded or loaded; a failed load is not
// kept.
type cachedResult struct {
	ready chan struct{} // closed once res or err is set
	res   *assess.Result
	err   error
}

type resultCache struct {
	results   *cache.LRU[int64, *cachedResult] // cost: the JSON's size
	summaries *cache.LRU[int64, resultSummary]
}

func newResultCache() *resultCache {
	return &resultCache{results: cache.New[int64, *cachedResult](resultCacheEntries, resultCacheBytes),
		summaries: cache.New[int64, resultSummary](summaryCacheEntries, 0)}
}

// result returns the decoded result of assessment a (of which only the ID
// and workspace are used). Concurrent requests for a result not yet cached
// wait for one load instead of each decoding it.
func (s *Server) result(ctx context.Context, a store.Assessment) (*assess.Result, error) {
	c := s.results
	e, loading := c.results.Add(a.ID, &cachedResult{ready: make(chan struct{})}, 0)
	if !loading {
		select {
		case <-e.ready:
			return e.res, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// The load is not tied to this request's context: others may be
	// waiting for it.
	data, err := s.st.AssessmentResult(context.WithoutCancel(ctx), a.WorkspaceID, a.ID)
	if err == nil {
		a.ResultJSON = data
		e.res, err = decodeResult(a)
	}
	e.err = err
	if err != nil {
		// Failures are not remembered: the next request tries again.
		c.results.Remove(a.ID)
	} else {
		c.results.Put(a.ID, e, int64(len(data)))
		c.summaries.Put(a.ID, summaryOf(e.res), 0)
	}
	close(e.ready)
	return e.res, e.err
}

func summaryOf(res *assess.Result) resultSummary {
	return resultSummary{Open: res.Summary.Open, Risks: res.Summary.Risks, Highest: res.Summary.Highest}
}

// summary returns the counts the history shows for assessment a, decoding
// its result only the first time.
func (s *Server) summary(ctx context.Context, a store.Assessment) (resultSummary, error) {
	if sum, ok := s.results.summaries.Get(a.ID); ok {
		return sum, nil
	}
	res, err := s.result(ctx, a)
	if err != nil {
		return resultSummary{}, err
	}
	return summaryOf(res), nil
}
