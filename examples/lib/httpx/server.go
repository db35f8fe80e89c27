package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"example.com/examples/lib/profiling"
)

// Config configures Serve.
type Config struct {
	// Addr is the TCP address to listen on; port 0 picks a free port.
	Addr string
	// CPUProfile, when set, is the file that receives a CPU profile covering
	// the server's whole lifetime. It is complete once Serve returns.
	CPUProfile string
	// Logger receives lifecycle messages; nil means slog.Default().
	Logger *slog.Logger
	// Stdout receives the "listening on <addr>" line; nil means os.Stdout.
	// Scripts read that first line to find the port.
	Stdout io.Writer
	// ShutdownTimeout bounds the wait for in-flight requests; 0 means 10s.
	ShutdownTimeout time.Duration
}

// Serve listens on cfg.Addr, prints "listening on <addr>" as the first line
// of cfg.Stdout, and serves h until ctx is cancelled (main cancels it on
// SIGINT/SIGTERM). It then stops accepting connections, waits for
// in-flight requests, and finally stops the CPU profile so the profile sees
// every request. A nil error means a clean shutdown.
func Serve(ctx context.Context, cfg Config, h http.Handler) (err error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	stdout := cfg.Stdout
	if stdout == nil {
		stdout = os.Stdout
	}
	timeout := cfg.ShutdownTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	prof, err := profiling.StartCPU(cfg.CPUProfile)
	if err != nil {
		return errors.Join(err, ln.Close())
	}
	defer func() {
		if stopErr := prof.Stop(); stopErr != nil {
			err = errors.Join(err, stopErr)
		} else if prof != nil {
			logger.Info("wrote CPU profile", "path", prof.Path())
		}
	}()

	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if _, err := fmt.Fprintf(stdout, "listening on %s\n", ln.Addr()); err != nil {
		return errors.Join(fmt.Errorf("announce address: %w", err), ln.Close())
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		// Serve only returns early on a listener failure.
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "reason", context.Cause(ctx))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
