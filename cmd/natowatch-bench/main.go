// Command natowatch-bench runs natowatch's end-to-end benchmarks (issue
// #5) and prints each result beside its target. See BENCHMARKS.md.
//
//	natowatch-bench [flags] [pipeline|idle|once|match|fanout|latency|footprint|all]...
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/natowatch/natowatch/bench"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "fakesite" {
		n, _ := strconv.Atoi(os.Args[2])
		if err := bench.ServeFakeSites(n, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "fakesite:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 2 && strings.HasPrefix(os.Args[1], "footprint-") {
		if err := bench.FootprintChild(context.Background(), os.Args[1], os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, os.Args[1]+":", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(run(context.Background(), os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("natowatch-bench", flag.ContinueOnError)
	opt := bench.DefaultOptions()
	fs.IntVar(&opt.Runs, "runs", opt.Runs, "repetitions; medians are reported")
	fs.StringVar(&opt.Natowatch, "natowatch", opt.Natowatch, "natowatch binary for the process benchmarks (default: built from this checkout)")
	fs.StringVar(&opt.Dir, "dir", opt.Dir, "scratch directory (default: a temporary one)")
	fs.BoolVar(&opt.Quick, "quick", false, "smaller sizes, for a smoke run")
	fs.StringVar(&opt.JSON, "json", "", "also write the results as JSON to this file")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	targets := fs.Args()
	if len(targets) == 0 {
		targets = []string{"all"}
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	opt.Self = self
	ok, err := bench.Run(ctx, opt, targets, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "natowatch-bench:", err)
		return 1
	}
	if !ok {
		return 3
	}
	return 0
}
