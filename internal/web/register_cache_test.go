package web

import (
	"fmt"
	"testing"
)

func TestRegisterCacheEvicts(t *testing.T) {
	var c registerCache
	for i := 0; i < registerCacheEntries+5; i++ {
		c.put(registerKey{assessment: int64(i)}, &registerJoin{areas: []string{fmt.Sprint(i)}})
	}
	if len(c.entries) != registerCacheEntries {
		t.Fatalf("%d entries, want %d", len(c.entries), registerCacheEntries)
	}
	if _, ok := c.get(registerKey{assessment: 0}); ok {
		t.Error("oldest entry kept")
	}
	if j, ok := c.get(registerKey{assessment: registerCacheEntries + 4}); !ok || j.areas[0] != fmt.Sprint(registerCacheEntries+4) {
		t.Error("newest entry lost")
	}
}
