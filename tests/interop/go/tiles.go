// tiles: verifies a candor-log data directory (the c2sp.org/tlog-tiles layout
// on disk) with Go's sumdb/note and sumdb/tlog, independently of Candor:
//
//		candor-go-interop tiles <dir> <log vkey>
//
//	 1. DATA/checkpoint verifies with the log key (note.Open) and parses as a
//	    c2sp.org/tlog-checkpoint (origin, size, base64 root).
//	 2. tlog.TileHashReader over the directory's tile files (C2SP paths: no
//	    height element, "entries" for level -1) yields TreeHash(size) == root;
//	    TileHashReader itself checks every tile it reads against the root.
//	 3. Every entry bundle parses (big-endian u16 length prefixes), and the
//	    record hashes of all entries rebuild the same root via tlog.StoredHashes.
//
// Prints "ok <size>".
package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func init() {
	commands["tiles"] = tilesVerify
}

// logDirTiles is a tlog.TileReader over a directory in the C2SP layout.
type logDirTiles struct{ dir string }

func (r logDirTiles) Height() int { return 8 }

func c2spTilePath(t tlog.Tile) string {
	p := t.Path() // "tile/8/<L>/<N>[.p/<W>]" or "tile/8/data/<N>[.p/<W>]"
	p = strings.TrimPrefix(p, "tile/8/")
	p = strings.Replace(p, "data/", "entries/", 1)
	return "tile/" + p
}

func (r logDirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := os.ReadFile(filepath.Join(r.dir, c2spTilePath(t)))
		if err != nil {
			// Partial tiles may be gone once the full one exists: use its prefix.
			full := t
			full.W = 1 << t.H
			d2, err2 := os.ReadFile(filepath.Join(r.dir, c2spTilePath(full)))
			if err2 != nil {
				return nil, err
			}
			data = d2[:t.W*tlog.HashSize]
		}
		out[i] = data
	}
	return out, nil
}

func (r logDirTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

type memHashes []tlog.Hash

func (s *memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(*s)) {
			return nil, fmt.Errorf("hash %d not stored", x)
		}
		out[i] = (*s)[x]
	}
	return out, nil
}

func tilesVerify(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: tiles <dir> <log vkey>")
	}
	dir, vkey := args[0], args[1]
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return err
	}
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		return err
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return fmt.Errorf("checkpoint: %v", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 || lines[0] != verifier.Name() {
		return fmt.Errorf("checkpoint: bad body or origin")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return fmt.Errorf("checkpoint: bad size")
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		return fmt.Errorf("checkpoint: bad root")
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	if size == 0 {
		// Go's tlog.TreeHash(0) is the zero hash; RFC 6962's empty root is SHA-256("").
		if root != tlog.Hash(sha256.Sum256(nil)) {
			return fmt.Errorf("empty tree with root %v", root)
		}
		fmt.Printf("ok 0\n")
		return nil
	}
	tree := tlog.Tree{N: size, Hash: root}

	hr := tlog.TileHashReader(tree, logDirTiles{dir})
	got, err := tlog.TreeHash(size, hr)
	if err != nil {
		return fmt.Errorf("TreeHash over tiles: %v", err)
	}
	if got != root {
		return fmt.Errorf("tiles hash to %v, checkpoint says %v", got, root)
	}
	// Also read every leaf hash through the tile reader; compared with the
	// entries' record hashes below (so every level-0 tile is checked).
	idx := make([]int64, 0, size)
	for i := int64(0); i < size; i++ {
		idx = append(idx, tlog.StoredHashIndex(0, i))
	}
	leafHashes, err := hr.ReadHashes(idx)
	if err != nil {
		return fmt.Errorf("reading leaf hashes: %v", err)
	}

	// Rebuild the tree from the entry bundles.
	var stored memHashes
	for start := int64(0); start < size; start += 256 {
		w := size - start
		if w > 256 {
			w = 256
		}
		t := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(w)}
		data, err := logDirTiles{dir}.ReadTiles([]tlog.Tile{t})
		if err != nil {
			return fmt.Errorf("entry bundle %d: %v", t.N, err)
		}
		b := data[0]
		for i := int64(0); i < w; i++ {
			if len(b) < 2 {
				return fmt.Errorf("entry bundle %d truncated", t.N)
			}
			l := int(binary.BigEndian.Uint16(b))
			if len(b) < 2+l {
				return fmt.Errorf("entry bundle %d truncated", t.N)
			}
			rec := b[2 : 2+l]
			b = b[2+l:]
			if tlog.RecordHash(rec) != leafHashes[start+i] {
				return fmt.Errorf("entry %d does not match its level-0 tile hash", start+i)
			}
			hs, err := tlog.StoredHashes(start+i, rec, &stored)
			if err != nil {
				return err
			}
			stored = append(stored, hs...)
		}
		if len(b) != 0 {
			return fmt.Errorf("entry bundle %d has trailing bytes", t.N)
		}
	}
	again, err := tlog.TreeHash(size, &stored)
	if err != nil {
		return err
	}
	if again != root {
		return fmt.Errorf("entries hash to %v, checkpoint says %v", again, root)
	}
	fmt.Printf("ok %d\n", size)
	return nil
}
