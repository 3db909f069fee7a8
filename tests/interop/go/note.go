// Signed-note, checkpoint and cosignature subcommands, backed by Go's
// golang.org/x/mod/sumdb/note. Notes are read from stdin; results go to stdout.
//
// Debian's x/mod has no cosignature (type 0x04) support, so cosig-verify and
// cosig-sign implement c2sp.org/tlog-cosignature here, on top of note.Open /
// note.Sign with a custom Verifier / Signer and crypto/ed25519: an independent
// implementation written from the spec text, not Candor's.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

func init() {
	commands["note-genkey"] = noteGenkey
	commands["note-sign"] = noteSign
	commands["note-verify"] = noteVerify
	commands["checkpoint-verify"] = checkpointVerify
	commands["cosig-verify"] = cosigVerify
	commands["cosig-sign"] = cosigSign
}

func readStdin() ([]byte, error) { return io.ReadAll(os.Stdin) }

// note-genkey <name>: prints the private key, then the verifier key.
func noteGenkey(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: note-genkey <name>")
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, args[0])
	if err != nil {
		return err
	}
	fmt.Println(skey)
	fmt.Println(vkey)
	return nil
}

// note-sign <skey>...: signs the note text on stdin with each key, in the
// order given (note.Sign lists the signatures in signer order), prints the
// signed note.
func noteSign(args []string) error {
	if len(args) < 1 {
		return errors.New("usage: note-sign <skey>...")
	}
	var signers []note.Signer
	for _, k := range args {
		signer, err := note.NewSigner(k)
		if err != nil {
			return err
		}
		signers = append(signers, signer)
	}
	text, err := readStdin()
	if err != nil {
		return err
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, signers...)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(msg)
	return err
}

func openWith(vkeys []string) (*note.Note, error) {
	var vs []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	msg, err := readStdin()
	if err != nil {
		return nil, err
	}
	return note.Open(msg, note.VerifierList(vs...))
}

// note-verify <vkey>...: opens the note on stdin; prints the verified text,
// then one line "signed-by <name> <hex key hash>" per verified signature.
func noteVerify(args []string) error {
	n, err := openWith(args)
	if err != nil {
		return err
	}
	fmt.Print(n.Text)
	for _, s := range n.Sigs {
		fmt.Printf("signed-by %s %08x\n", s.Name, s.Hash)
	}
	return nil
}

// checkpoint-verify <log vkey>: opens a checkpoint note and prints
// "<origin> <size> <hex root hash> <extension count>" (tlog-checkpoint, parsed here).
func checkpointVerify(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: checkpoint-verify <vkey>")
	}
	n, err := openWith(args)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 || lines[0] == "" {
		return errors.New("malformed checkpoint")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return errors.New("malformed checkpoint size")
	}
	hash, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(hash) != 32 {
		return errors.New("malformed checkpoint hash")
	}
	if lines[0] != n.Sigs[0].Name {
		return errors.New("origin does not match the log key name")
	}
	fmt.Printf("%s %d %x %d\n", lines[0], size, hash, len(lines)-3)
	return nil
}

const algCosignatureV1 = 0x04

func cosigKeyHash(name string, pub []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{algCosignatureV1})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func cosignedMessage(ts uint64, body []byte) []byte {
	return append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", ts)), body...)
}

type cosigVerifier struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
	ts   *uint64
}

func (v cosigVerifier) Name() string    { return v.name }
func (v cosigVerifier) KeyHash() uint32 { return v.hash }
func (v cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	ts := binary.BigEndian.Uint64(sig)
	if ts > 1<<63-1 {
		return false
	}
	if !ed25519.Verify(v.pub, cosignedMessage(ts, msg), sig[8:]) {
		return false
	}
	*v.ts = ts
	return true
}

// cosig-verify <witness vkey (type 0x04)>: opens the checkpoint note on stdin
// with only that witness key; prints the cosignature's timestamp.
func cosigVerify(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: cosig-verify <vkey>")
	}
	parts := strings.SplitN(args[0], "+", 3)
	if len(parts) != 3 {
		return errors.New("malformed vkey")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != algCosignatureV1 {
		return errors.New("not a cosignature/v1 vkey")
	}
	hash := cosigKeyHash(parts[0], raw[1:])
	if fmt.Sprintf("%08x", hash) != parts[1] {
		return errors.New("vkey hash mismatch")
	}
	var ts uint64
	v := cosigVerifier{parts[0], hash, ed25519.PublicKey(raw[1:]), &ts}
	msg, err := readStdin()
	if err != nil {
		return err
	}
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		return err
	}
	fmt.Println(ts)
	return nil
}

type cosigSigner struct {
	name string
	hash uint32
	priv ed25519.PrivateKey
	ts   uint64
}

func (s cosigSigner) Name() string    { return s.name }
func (s cosigSigner) KeyHash() uint32 { return s.hash }
func (s cosigSigner) Sign(msg []byte) ([]byte, error) {
	sig := make([]byte, 8, 8+ed25519.SignatureSize)
	binary.BigEndian.PutUint64(sig, s.ts)
	return append(sig, ed25519.Sign(s.priv, cosignedMessage(s.ts, msg))...), nil
}

// cosig-sign <witness skey (type 0x04)> <timestamp>: adds a cosignature to the
// signed checkpoint note on stdin (existing signatures kept, unverified).
func cosigSign(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: cosig-sign <skey> <timestamp>")
	}
	parts := strings.SplitN(args[0], "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return errors.New("malformed skey")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 33 || raw[0] != algCosignatureV1 {
		return errors.New("not a cosignature/v1 skey")
	}
	priv := ed25519.NewKeyFromSeed(raw[1:])
	hash := cosigKeyHash(parts[2], priv.Public().(ed25519.PublicKey))
	if fmt.Sprintf("%08x", hash) != parts[3] {
		return errors.New("skey hash mismatch")
	}
	ts, err := strconv.ParseUint(args[1], 10, 63)
	if err != nil {
		return err
	}
	msg, err := readStdin()
	if err != nil {
		return err
	}
	_, err = note.Open(msg, note.VerifierList())
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unverified) {
		return fmt.Errorf("cannot parse note: %v", err)
	}
	out, err := note.Sign(unverified.Note, cosigSigner{parts[2], hash, priv, ts})
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
