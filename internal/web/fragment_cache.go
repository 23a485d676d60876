package web

import (
	"html/template"
	"sync"
)

// fragmentCache keeps rendered parts of pages that depend only on stored
// data that never changes under the same key (an assessment's result, the
// history of a workspace as of a day), so that pages viewed by many users
// render them once. Keys must capture everything the fragment shows; the
// oldest entries are dropped beyond the bound.
type fragmentCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]template.HTML
	order   []string // oldest first
}

func newFragmentCache(max int) *fragmentCache {
	return &fragmentCache{max: max, entries: map[string]template.HTML{}}
}

func (c *fragmentCache) get(key string) (template.HTML, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.entries[key]
	return h, ok
}

func (c *fragmentCache) put(key string, h template.HTML) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; ok {
		return
	}
	c.entries[key] = h
	c.order = append(c.order, key)
	for len(c.order) > c.max {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
}
