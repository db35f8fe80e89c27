// Command logworker is a batch job that turns an HTTP access log into a JSON
// traffic report: per-route request counts, error rates and latency
// percentiles, status mix, busiest minute, top clients and user agents.
//
//	logworker -generate 500000 -out access.log        # make a realistic input
//	logworker -in access.log -out report.json         # analyze it
//	logworker -in access.log -repeat 5 -cpuprofile cpu.pprof
//
// Parsing and aggregation run on -workers goroutines over chunks of the
// input. -repeat and -min-duration process the input several times, which
// gives profiling runs enough samples from a file of reasonable size.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"example.com/examples/lib/logrec"
	"example.com/examples/lib/procstat"
	"example.com/examples/lib/profiling"
)

// options are the command-line flags.
type options struct {
	in          string
	out         string
	generate    int
	seed        uint64
	rate        float64
	workers     int
	repeat      int
	minDuration time.Duration
	top         int
	cpuProfile  string
}

func main() {
	var o options
	flag.StringVar(&o.in, "in", "-", "access log to read (- for stdin)")
	flag.StringVar(&o.out, "out", "-", "where to write the report, or the generated log with -generate (- for stdout)")
	flag.IntVar(&o.generate, "generate", 0, "instead of analyzing, write this many generated log lines to -out")
	flag.Uint64Var(&o.seed, "seed", 1, "seed for -generate")
	flag.Float64Var(&o.rate, "rate", 400, "requests per second simulated by -generate")
	flag.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "parallel parse/aggregate workers")
	flag.IntVar(&o.repeat, "repeat", 1, "process the input this many times (for profiling)")
	flag.DurationVar(&o.minDuration, "min-duration", 0, "keep reprocessing the input until this much time has passed (for profiling)")
	flag.IntVar(&o.top, "top", 10, "entries in the top-clients list")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(o, logger); err != nil {
		logger.Error("logworker failed", "err", err)
		os.Exit(1)
	}
}

func run(o options, logger *slog.Logger) (err error) {
	if o.generate > 0 {
		return generate(o, logger)
	}
	if o.repeat < 1 || o.workers < 1 {
		return errors.New("-repeat and -workers must be at least 1")
	}
	if o.in == "-" && (o.repeat > 1 || o.minDuration > 0) {
		return errors.New("-repeat and -min-duration need a file for -in, not stdin")
	}

	prof, err := profiling.StartCPU(o.cpuProfile)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, prof.Stop()) }()

	// SIGINT/SIGTERM end the repetitions early; the profile is still
	// written by the deferred Stop.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	var agg *Aggregator
	passes := 0
	for passes < o.repeat || time.Since(start) < o.minDuration {
		if passes > 0 && ctx.Err() != nil {
			break
		}
		in, closeIn, err := openInput(o.in)
		if err != nil {
			return err
		}
		agg, err = process(ctx, in, o.workers)
		closeErr := closeIn()
		if err != nil {
			return err
		}
		if closeErr != nil {
			return closeErr
		}
		passes++
	}
	elapsed := time.Since(start)

	report := agg.Report(o.top)
	report.Passes = passes
	if err := writeOutput(o.out, func(w io.Writer) error { return report.WriteJSON(w) }); err != nil {
		return err
	}
	ps := procstat.Read()
	logger.Info("done", "passes", passes, "lines_per_pass", report.Input.Lines,
		"elapsed", elapsed.Round(time.Millisecond),
		"lines_per_second", int64(float64(report.Input.Lines*int64(passes))/elapsed.Seconds()),
		"rss_mib", ps.RSSBytes>>20, "cpu_time", ps.CPUTime.Round(time.Millisecond))
	return nil
}

func generate(o options, logger *slog.Logger) error {
	g := logrec.NewGenerator(o.seed, time.Date(2025, time.November, 21, 6, 0, 0, 0, time.UTC), o.rate)
	var n int64
	err := writeOutput(o.out, func(w io.Writer) error {
		var err error
		n, err = g.GenerateTo(w, o.generate)
		return err
	})
	if err != nil {
		return err
	}
	logger.Info("generated access log", "lines", o.generate, "bytes", n, "out", o.out)
	return nil
}

func openInput(path string) (io.Reader, func() error, error) {
	if path == "-" {
		return os.Stdin, func() error { return nil }, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// writeOutput calls write with the output file (or stdout) and closes it,
// reporting close errors, which is where a full disk shows up.
func writeOutput(path string, write func(io.Writer) error) error {
	if path == "-" {
		return write(os.Stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}
