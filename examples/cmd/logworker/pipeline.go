package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
)

// chunkSize is how much input one work item carries: large enough to
// amortize channel operations, small enough to balance across workers.
const chunkSize = 1 << 20

// chunk is a run of whole lines.
type chunk struct {
	index int
	data  []byte
}

// process parses and aggregates everything read from in using the given
// number of workers, and returns the merged aggregate. Results do not
// depend on the number of workers.
func process(ctx context.Context, in io.Reader, workers int) (*Aggregator, error) {
	chunks := make(chan chunk, workers*2)
	results := make([]*Aggregator, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		agg := NewAggregator()
		results[w] = agg
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				agg.AddChunk(c.index, c.data)
			}
		}()
	}
	readErr := splitChunks(ctx, in, chunks)
	close(chunks)
	wg.Wait()
	if readErr != nil {
		return nil, readErr
	}
	total := results[0]
	for _, a := range results[1:] {
		total.Merge(a)
	}
	return total, nil
}

// splitChunks reads in and sends chunks cut at line boundaries.
func splitChunks(ctx context.Context, in io.Reader, out chan<- chunk) error {
	var carry []byte
	index := 0
	for {
		buf := make([]byte, len(carry), len(carry)+chunkSize)
		copy(buf, carry)
		n, err := io.ReadFull(in, buf[len(carry):cap(buf)])
		buf = buf[:len(carry)+n]
		last := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !last {
			return err
		}
		if last {
			if len(buf) > 0 {
				out <- chunk{index: index, data: buf}
			}
			return nil
		}
		cut := bytes.LastIndexByte(buf, '\n')
		if cut < 0 {
			// A single line longer than a chunk: keep accumulating.
			carry = buf
			continue
		}
		carry = buf[cut+1:]
		select {
		case out <- chunk{index: index, data: buf[:cut+1]}:
		case <-ctx.Done():
			return ctx.Err()
		}
		index++
	}
}
