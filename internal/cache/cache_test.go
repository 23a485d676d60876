package cache

import (
	"fmt"
	"sync"
	"testing"
)

func TestLRUBoundsEntries(t *testing.T) {
	c := New[int, string](3, 0)
	for i := range 5 {
		c.Put(i, fmt.Sprint(i), 1)
	}
	if c.Len() != 3 {
		t.Fatalf("Len() = %d; want 3", c.Len())
	}
	for i := range 2 {
		if _, ok := c.Get(i); ok {
			t.Errorf("entry %d kept beyond the bound", i)
		}
	}
	for i := 2; i < 5; i++ {
		if v, ok := c.Get(i); !ok || v != fmt.Sprint(i) {
			t.Errorf("Get(%d) = %q, %t; want %q", i, v, ok, fmt.Sprint(i))
		}
	}
}

func TestLRUDropsLeastRecentlyUsed(t *testing.T) {
	c := New[string, int](2, 0)
	c.Put("a", 1, 0)
	c.Put("b", 2, 0)
	c.Get("a") // b is now the least recently used
	c.Put("c", 3, 0)
	if _, ok := c.Get("b"); ok {
		t.Error("b kept; it was the least recently used")
	}
	if _, ok := c.Get("a"); !ok {
		t.Error("a dropped although used after b")
	}
}

func TestLRUBoundsCost(t *testing.T) {
	c := New[int, int](100, 10)
	c.Put(1, 1, 4)
	c.Put(2, 2, 4)
	c.Put(3, 3, 4) // 12 > 10: the oldest goes
	if _, ok := c.Get(1); ok || c.Cost() != 8 || c.Len() != 2 {
		t.Errorf("after 3 entries of cost 4 under 10: entry 1 kept %t, cost %d, len %d; want dropped, 8, 2", ok, c.Cost(), c.Len())
	}
	// An entry bigger than the bound is kept alone: dropping the entry
	// just added would make the cache useless for it.
	c.Put(4, 4, 50)
	if _, ok := c.Get(4); !ok || c.Len() != 1 || c.Cost() != 50 {
		t.Errorf("after an entry of cost 50: kept %t, len %d, cost %d; want it alone", ok, c.Len(), c.Cost())
	}
	// Replacing a value moves the cost.
	c.Put(4, 5, 2)
	if v, _ := c.Get(4); v != 5 || c.Cost() != 2 {
		t.Errorf("after replacing: value %d, cost %d; want 5, 2", v, c.Cost())
	}
	c.Remove(4)
	if c.Len() != 0 || c.Cost() != 0 {
		t.Errorf("after Remove: len %d, cost %d; want 0, 0", c.Len(), c.Cost())
	}
}

func TestLRUAddKeepsTheFirstValue(t *testing.T) {
	c := New[int, string](4, 0)
	if v, added := c.Add(1, "first", 0); !added || v != "first" {
		t.Fatalf("Add to an empty cache = %q, %t; want first, true", v, added)
	}
	if v, added := c.Add(1, "second", 0); added || v != "first" {
		t.Errorf("Add of a present key = %q, %t; want first, false", v, added)
	}
}

// TestLRUConcurrentAdd checks that goroutines racing to fill one key agree
// on a single value (run with -race).
func TestLRUConcurrentAdd(t *testing.T) {
	c := New[int, *int](8, 0)
	var wg sync.WaitGroup
	got := make([]*int, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := new(int)
			got[i], _ = c.Add(7, v, 1)
			c.Get(7)
		}()
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("goroutine %d got another value than goroutine 0", i)
		}
	}
	if c.Len() != 1 || c.Cost() != 1 {
		t.Errorf("len %d, cost %d; want 1, 1", c.Len(), c.Cost())
	}
}
