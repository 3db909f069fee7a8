// Merkle tree subcommands, backed by Go's golang.org/x/mod/sumdb/tlog: the
// reference Candor's libverify merkle/layout modules are compared against.
// Leaf i of every tree is the record "entry <i>".
//
//	tlog-vectors <max_small> <large size>...
//	    prints, one per line (hashes in lower-case hex):
//	    root <n> <hash>                        n = 1..max_small and each large size
//	    incl <n> <i> <len> <sha256(proof)>     every i < n <= max_small
//	    cons <m> <n> <len> <sha256(proof)>     every 1 <= m <= n <= max_small
//	    inclfull <n> <i> <h1,h2,...|->         sampled i, each large size
//	    consfull <m> <n> <h1,h2,...|->         sampled m, each large size
//	    newtiles <m> <n> <path;path;...|->     tlog.NewTiles(8, m, n), C2SP paths
//	    tiledata <c2sp path> <sha256(tile)>    every tile of the largest size,
//	                                           plus the final partial tiles of
//	                                           the others
//	    sha256(proof) is the SHA-256 of the concatenated proof hashes.
//	tlog-paths <L> <N> <W> ...
//	    for each triple: "path <L> <N> <W> <go path> <c2sp path>" where the
//	    C2SP path drops Go's height element (tile/8/L/... -> tile/L/...,
//	    tile/8/data/... -> tile/entries/...); L = -1 is an entry bundle.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

func init() {
	commands["tlog-vectors"] = tlogVectors
	commands["tlog-paths"] = tlogPaths
}

type hashStore []tlog.Hash

func (s hashStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(s)) {
			return nil, fmt.Errorf("hash index %d not stored", x)
		}
		out[i] = s[x]
	}
	return out, nil
}

func c2spPath(t tlog.Tile) string {
	p := t.Path()
	if t.L == -1 {
		return strings.Replace(p, fmt.Sprintf("tile/%d/data/", t.H), "tile/entries/", 1)
	}
	return strings.Replace(p, fmt.Sprintf("tile/%d/", t.H), "tile/", 1)
}

func digest(hs []tlog.Hash) string {
	d := sha256.New()
	for _, h := range hs {
		d.Write(h[:])
	}
	return hex.EncodeToString(d.Sum(nil))
}

func joinHashes(hs []tlog.Hash) string {
	if len(hs) == 0 {
		return "-"
	}
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = hex.EncodeToString(h[:])
	}
	return strings.Join(parts, ",")
}

func joinTiles(ts []tlog.Tile) string {
	if len(ts) == 0 {
		return "-"
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = c2spPath(t)
	}
	return strings.Join(parts, ";")
}

func tlogVectors(args []string) error {
	if len(args) < 1 {
		return errors.New("usage: tlog-vectors <max_small> <large size>...")
	}
	maxSmall, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || maxSmall < 1 {
		return errors.New("bad max_small")
	}
	var large []int64
	maxSize := maxSmall
	for _, a := range args[1:] {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 1 {
			return fmt.Errorf("bad size %q", a)
		}
		large = append(large, n)
		if n > maxSize {
			maxSize = n
		}
	}

	// Grow one tree to the largest size with Go's own storage layout,
	// remembering the roots along the way.
	var store hashStore
	roots := make(map[int64]tlog.Hash)
	want := map[int64]bool{}
	for n := int64(1); n <= maxSmall; n++ {
		want[n] = true
	}
	for _, n := range large {
		want[n] = true
	}
	for i := int64(0); i < maxSize; i++ {
		hs, err := tlog.StoredHashes(i, []byte(fmt.Sprintf("entry %d", i)), store)
		if err != nil {
			return err
		}
		store = append(store, hs...)
		if want[i+1] {
			th, err := tlog.TreeHash(i+1, store)
			if err != nil {
				return err
			}
			roots[i+1] = th
		}
	}

	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	sizes := make([]int64, 0, len(roots))
	for n := range roots {
		sizes = append(sizes, n)
	}
	sort.Slice(sizes, func(a, b int) bool { return sizes[a] < sizes[b] })
	for _, n := range sizes {
		r := roots[n]
		fmt.Fprintf(w, "root %d %s\n", n, hex.EncodeToString(r[:]))
	}

	for n := int64(1); n <= maxSmall; n++ {
		for i := int64(0); i < n; i++ {
			p, err := tlog.ProveRecord(n, i, store)
			if err != nil {
				return err
			}
			if err := tlog.CheckRecord(p, n, roots[n], i, tlog.RecordHash([]byte(fmt.Sprintf("entry %d", i)))); err != nil {
				return err
			}
			fmt.Fprintf(w, "incl %d %d %d %s\n", n, i, len(p), digest(p))
		}
		for m := int64(1); m <= n; m++ {
			p, err := tlog.ProveTree(n, m, store)
			if err != nil {
				return err
			}
			if err := tlog.CheckTree(p, n, roots[n], m, roots[m]); err != nil {
				return err
			}
			fmt.Fprintf(w, "cons %d %d %d %s\n", m, n, len(p), digest(p))
		}
	}

	rng := rand.New(rand.NewSource(6962))
	for _, n := range large {
		idx := []int64{0, n / 3, n / 2, n - 1}
		olds := []int64{1, n / 2, n - 1, n}
		for k := 0; k < 6; k++ {
			idx = append(idx, rng.Int63n(n))
			olds = append(olds, 1+rng.Int63n(n))
		}
		for _, i := range idx {
			p, err := tlog.ProveRecord(n, i, store)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "inclfull %d %d %s\n", n, i, joinHashes(p))
		}
		for _, m := range olds {
			p, err := tlog.ProveTree(n, m, store)
			if err != nil {
				return err
			}
			if _, ok := roots[m]; !ok {
				th, err := tlog.TreeHash(m, store)
				if err != nil {
					return err
				}
				roots[m] = th
				fmt.Fprintf(w, "root %d %s\n", m, hex.EncodeToString(th[:]))
			}
			fmt.Fprintf(w, "consfull %d %d %s\n", m, n, joinHashes(p))
		}
	}

	// Tiles: which change between sizes, and their contents.
	pairs := [][2]int64{}
	for _, a := range sizes {
		for _, b := range []int64{a, a + 1, a + 255, a + 256, a + 257, a * 2, a*256 + 1} {
			if b <= maxSize {
				pairs = append(pairs, [2]int64{a, b})
			}
		}
		pairs = append(pairs, [2]int64{0, a})
	}
	for _, p := range pairs {
		fmt.Fprintf(w, "newtiles %d %d %s\n", p[0], p[1], joinTiles(tlog.NewTiles(8, p[0], p[1])))
	}
	// Tile contents: every tile of the largest tree, and the final partial
	// tiles of every other size (Go's NewTiles also lists every intermediate
	// partial width; C2SP logs serve only those of checkpointed sizes).
	dumped := map[string]bool{}
	for _, n := range sizes {
		for _, t := range tlog.NewTiles(8, 0, n) {
			final := t.W == 256 || int64(t.W) == (n>>(8*uint(t.L)))&255
			if !final || (t.W == 256 && n != maxSize) || dumped[c2spPath(t)] {
				continue
			}
			dumped[c2spPath(t)] = true
			data, err := tlog.ReadTileData(t, store)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			fmt.Fprintf(w, "tiledata %s %s\n", c2spPath(t), hex.EncodeToString(sum[:]))
		}
	}
	return nil
}

func tlogPaths(args []string) error {
	if len(args)%3 != 0 {
		return errors.New("usage: tlog-paths <L> <N> <W> ...")
	}
	for k := 0; k < len(args); k += 3 {
		l, err1 := strconv.Atoi(args[k])
		n, err2 := strconv.ParseInt(args[k+1], 10, 64)
		wd, err3 := strconv.Atoi(args[k+2])
		if err1 != nil || err2 != nil || err3 != nil {
			return fmt.Errorf("bad tile %q %q %q", args[k], args[k+1], args[k+2])
		}
		t := tlog.Tile{H: 8, L: l, N: n, W: wd}
		back, err := tlog.ParseTilePath(t.Path())
		if err != nil || back != t {
			return fmt.Errorf("go round trip failed for %s", t.Path())
		}
		fmt.Printf("path %d %d %d %s %s\n", l, n, wd, t.Path(), c2spPath(t))
	}
	return nil
}
