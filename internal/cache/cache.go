// Package cache holds the one bounded cache of the server: a map that
// keeps the most recently used entries within a number of entries and,
// optionally, a total cost (bytes, say). Pages shared by many users keep
// decoded results, joins and rendered fragments in it; every copy is
// bounded, so a long-running server's memory is too.
package cache

import (
	"container/list"
	"sync"
)

// LRU is a bounded map safe for concurrent use. When an addition takes it
// over either bound, the least recently used entries are dropped, never
// the one just added: an entry bigger than the whole cost bound is still
// kept until the next addition.
type LRU[K comparable, V any] struct {
	mu      sync.Mutex
	maxLen  int
	maxCost int64
	cost    int64
	order   *list.List // of *entry[K, V], most recently used first
	items   map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key  K
	val  V
	cost int64
}

// New returns a cache of at most maxLen entries (at least one) whose costs
// add up to at most maxCost; maxCost 0 bounds the number of entries only.
func New[K comparable, V any](maxLen int, maxCost int64) *LRU[K, V] {
	return &LRU[K, V]{maxLen: max(maxLen, 1), maxCost: maxCost, order: list.New(), items: map[K]*list.Element{}}
}

// Get returns the value of k and marks it used.
func (c *LRU[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*entry[K, V]).val, true
}

// Add stores v under k unless k is present. It returns the value the cache
// then holds for k and whether it is v: callers racing to fill the same key
// agree on one value.
func (c *LRU[K, V]) Add(k K, v V, cost int64) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry[K, V]).val, false
	}
	c.insert(k, v, cost)
	return v, true
}

// Put stores v under k, replacing any value and cost it had.
func (c *LRU[K, V]) Put(k K, v V, cost int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		e := el.Value.(*entry[K, V])
		c.cost += cost - e.cost
		e.val, e.cost = v, cost
		c.order.MoveToFront(el)
		c.evict()
		return
	}
	c.insert(k, v, cost)
}

// Remove drops k.
func (c *LRU[K, V]) Remove(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.drop(el)
	}
}

// Len is the number of entries held.
func (c *LRU[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Cost is the total cost of the entries held.
func (c *LRU[K, V]) Cost() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cost
}

func (c *LRU[K, V]) insert(k K, v V, cost int64) {
	c.items[k] = c.order.PushFront(&entry[K, V]{key: k, val: v, cost: cost})
	c.cost += cost
	c.evict()
}

// evict drops the least recently used entries, never the most recent one,
// until the cache is within its bounds. It is called with mu held.
func (c *LRU[K, V]) evict() {
	for c.order.Len() > 1 && (c.order.Len() > c.maxLen || (c.maxCost > 0 && c.cost > c.maxCost)) {
		c.drop(c.order.Back())
	}
}

func (c *LRU[K, V]) drop(el *list.Element) {
	e := c.order.Remove(el).(*entry[K, V])
	delete(c.items, e.key)
	c.cost -= e.cost
}
