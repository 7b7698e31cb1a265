//go:build !linux

package scraper

import "time"

func threadCPU() time.Duration { return 0 }

const haveThreadCPU = false
