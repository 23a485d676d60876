//go:build !unix

package phiscan

import "time"

// CPUTime is not measured here; the benchmarks then report wall time only.
func CPUTime() time.Duration { return 0 }
