//go:build unix

package phiscan

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time this process has used (user + system, the
// garbage collector included, children not): the benchmarks' measure on a
// shared machine, where wall time depends on the other jobs.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
