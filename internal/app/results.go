package app

import (
	"context"
	"fmt"

	"rcmguard/internal/assess"
	"rcmguard/internal/cache"
	"rcmguard/internal/report"
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
// Callers that get a result from the cache must treat it as read-only.

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

// Summary is what the history needs of each assessment.
type Summary struct {
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
	summaries *cache.LRU[int64, Summary]
}

func newResultCache() *resultCache {
	return &resultCache{results: cache.New[int64, *cachedResult](resultCacheEntries, resultCacheBytes),
		summaries: cache.New[int64, Summary](summaryCacheEntries, 0)}
}

// Result returns the decoded result of assessment asm (of which only the ID
// and workspace are used), shared with other callers: read it, never
// change it. Concurrent requests for a result not yet cached wait for one
// load instead of each decoding it.
func (a *App) Result(ctx context.Context, asm store.Assessment) (*assess.Result, error) {
	c := a.results
	e, loading := c.results.Add(asm.ID, &cachedResult{ready: make(chan struct{})}, 0)
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
	data, err := a.st.AssessmentResult(context.WithoutCancel(ctx), asm.WorkspaceID, asm.ID)
	if err == nil {
		asm.ResultJSON = data
		e.res, err = DecodeResult(asm)
	}
	e.err = err
	if err != nil {
		// Failures are not remembered: the next request tries again.
		c.results.Remove(asm.ID)
	} else {
		c.results.Put(asm.ID, e, int64(len(data)))
		c.summaries.Put(asm.ID, summaryOf(e.res), 0)
	}
	close(e.ready)
	return e.res, e.err
}

func summaryOf(res *assess.Result) Summary {
	return Summary{Open: res.Summary.Open, Risks: res.Summary.Risks, Highest: res.Summary.Highest}
}

// SummaryOf returns the counts the history shows for assessment asm,
// decoding its result only the first time.
func (a *App) SummaryOf(ctx context.Context, asm store.Assessment) (Summary, error) {
	if sum, ok := a.results.summaries.Get(asm.ID); ok {
		return sum, nil
	}
	res, err := a.Result(ctx, asm)
	if err != nil {
		return Summary{}, err
	}
	return summaryOf(res), nil
}

// Latest returns the newest assessment of a workspace and its result; ok
// is false when none has run. The assessment comes without its model and
// result JSON, and the result is shared (see Result): read it, never
// change it.
func (a *App) Latest(ctx context.Context, wsID int64) (store.Assessment, *assess.Result, bool, error) {
	heads, err := a.st.AssessmentHeads(ctx, wsID)
	if err != nil || len(heads) == 0 {
		return store.Assessment{}, nil, false, err
	}
	res, err := a.Result(ctx, heads[0])
	return heads[0], res, err == nil, err
}

// DecodeResult reads an assessment's stored result under the schema it
// was written with (report.DecodeResult): signed-off results are never
// read under another meaning.
func DecodeResult(asm store.Assessment) (*assess.Result, error) {
	res, err := report.DecodeResult(asm.ResultJSON)
	if err != nil {
		return nil, fmt.Errorf("app: result of assessment %d: %w", asm.ID, err)
	}
	return res, nil
}
