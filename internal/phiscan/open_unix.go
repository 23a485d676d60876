//go:build unix

package phiscan

import (
	"os"
	"syscall"
)

// openRegular opens a file read-only without blocking: if it was replaced
// by a FIFO after the walk saw it, the open returns at once and the mode
// check that follows skips it.
func openRegular(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
