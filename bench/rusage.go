package bench

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPUTime is the CPU time (user + system) this process has used so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ChildrenUsage is the CPU time and the largest peak RSS of the waited-for
// children of this process so far.
func ChildrenUsage() (cpu time.Duration, maxRSSKB int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), int64(ru.Maxrss)
}

// RSS is this process's resident set size now, in bytes (Linux; 0 elsewhere).
func RSS() int64 { return procRSS("self") }

// procRSS is a process's resident set size now, in bytes (Linux; 0
// elsewhere): pid is a process id or "self".
func procRSS(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// PeakRSS is this process's peak resident set size so far, in bytes: the
// high-water mark of its address space (VmHWM, Linux). getrusage's maxrss
// would do but for a child started by vfork: exec records the parent's
// high-water mark as the child's.
func PeakRSS() int64 { return procStatusKB("self", "VmHWM:") * 1024 }

// procStatusKB reads a "kB" line of /proc/<pid>/status.
func procStatusKB(pid, key string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return 0
}

// rusageThread is RUSAGE_THREAD (Linux): the calling thread only.
const rusageThread = 1

// ThreadCPU is the CPU time of the calling OS thread so far (Linux; lock
// the goroutine to its thread around a measurement). Unlike wall time it
// does not count the time other processes had the core.
func ThreadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
