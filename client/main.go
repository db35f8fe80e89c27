// Command pgobuild-client is the native pgobuild client: it forwards a command to the warm server
// of its workspace, as bin/pgobuild.js does, without starting Node. It takes only the fast path:
// a server already running for this workspace and installation. Everything else (no server yet,
// startup options such as --batch, `run`, `info`, `shutdown`, commands outside a workspace) goes
// to the Node client, which it execs with the same arguments, so the two behave the same.
//
// scripts/build-client.js builds it into dist/ with the installation it belongs to: the package
// directory, the Node binary and version that built it, and the stat signatures of the entry
// points. The socket name is the Node client's (bin/pgobuild.js), so both reach the same server;
// if dist/ was rebuilt since, the signatures differ and the Node client answers.
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// Set by scripts/build-client.js (-ldflags -X).
var (
	pkgDir      string // the package directory (bin/, dist/ and package.json are in it)
	nodePath    string // the Node binary the installation runs on
	nodeVersion string // its process.version
	// The stat signatures of package.json and the entry points when the client was built,
	// "size:mtimeNs" each, joined by "|" (compared at run time, see installationKey).
	builtAgainst string
)

// Options before the command that take a separate value (bin/pgobuild.js's VALUE_OPTIONS).
var valueOptions = map[string]bool{
	"-j": true, "--jobs": true, "--output": true, "--disk_cache": true,
	"--disk_cache_max_size": true, "--pgo": true, "--gc_goopts": true, "--gotags": true,
	"--linkopt": true, "--workspace_status_command": true, "--remote_cache": true,
	"--remote_timeout": true, "--remote_header": true, "--tls_certificate": true,
}

// Commands the Node client runs itself or answers without a command frame.
var nodeOnly = map[string]bool{"run": true, "info": true, "shutdown": true}

func main() {
	args := os.Args[1:]
	conn := fastPath(args)
	if conn == nil {
		execNodeClient(args)
		return
	}
	os.Exit(converse(conn, args))
}

// fastPath connects to the running server of this workspace when the command can go to it;
// nil when the Node client must handle it.
func fastPath(args []string) net.Conn {
	if os.Getenv("PGOBUILD_BATCH") == "1" || pkgDir == "" {
		return nil
	}
	if len(args) > 0 && (args[0] == "--batch" || strings.HasPrefix(args[0], "--max_idle_secs=")) {
		return nil
	}
	command := commandOf(args)
	if command == "" || nodeOnly[command] {
		return nil
	}
	cwd, err := syscall.Getwd()
	if err != nil {
		return nil
	}
	root := workspaceRoot(cwd)
	if root == "" {
		return nil
	}
	key, ok := installationKey()
	if !ok {
		return nil
	}
	dir, ok := socketDir()
	if !ok {
		return nil
	}
	sum := sha256.Sum256([]byte(root + "\x00" + key))
	socketPath := filepath.Join(dir, hex.EncodeToString(sum[:])[:32]+".sock")
	if len(socketPath) >= 100 {
		return nil
	}
	conn, err := net.Dial("unix", socketPath)
	if err != nil {
		return nil
	}
	return conn
}

func commandOf(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return ""
		}
		if valueOptions[a] {
			i++
		} else if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

func workspaceRoot(dir string) string {
	for {
		for _, m := range []string{"MODULE.bazel", "WORKSPACE.bazel", "WORKSPACE"} {
			if st, err := os.Stat(filepath.Join(dir, m)); err == nil && st.Mode().IsRegular() {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// installationKey is bin/pgobuild.js's installation().key, for the installation this client was
// built with; not ok when package.json or an entry point changed since (a rebuilt dist/).
func installationKey() (string, bool) {
	parts := []string{pkgDir, nodePath, nodeVersion}
	var signatures []string
	for _, f := range []string{
		filepath.Join(pkgDir, "package.json"),
		filepath.Join(pkgDir, "dist", "src", "cli", "main.js"),
		filepath.Join(pkgDir, "dist", "src", "server", "server-main.js"),
	} {
		var st syscall.Stat_t
		if syscall.Stat(f, &st) != nil {
			return "", false
		}
		mtimeNs := st.Mtim.Sec*1_000_000_000 + st.Mtim.Nsec
		signature := strconv.FormatInt(st.Size, 10) + ":" + strconv.FormatInt(mtimeNs, 10)
		signatures = append(signatures, signature)
		parts = append(parts, f+":"+signature)
	}
	if strings.Join(signatures, "|") != builtAgainst {
		return "", false
	}
	return strings.Join(parts, "\x00"), true
}

// socketDir is $TMPDIR/pgobuild-<uid>, which must be a private directory of this user.
func socketDir() (string, bool) {
	tmp := strings.TrimRight(os.Getenv("TMPDIR"), "/")
	if os.Getenv("TMPDIR") == "" {
		tmp = "/tmp"
	} else if tmp == "" {
		tmp = "/"
	}
	dir := filepath.Join(tmp, "pgobuild-"+strconv.Itoa(os.Getuid()))
	var st syscall.Stat_t
	if syscall.Lstat(dir, &st) != nil {
		return "", false
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFDIR || int(st.Uid) != os.Getuid() || st.Mode&0o077 != 0 {
		return "", false
	}
	return dir, true
}

type terminal struct {
	IsTTY   bool `json:"isTTY"`
	Columns *int `json:"columns,omitempty"`
}

type request struct {
	Argv   []string          `json:"argv"`
	Cwd    string            `json:"cwd"`
	Env    map[string]string `json:"env"`
	Pid    int               `json:"pid"`
	Stdout terminal          `json:"stdout"`
	Stderr terminal          `json:"stderr"`
}

// terminalOf says whether fd is a terminal, and how wide, as Node's stream.isTTY and columns do.
func terminalOf(fd uintptr) terminal {
	var ws struct{ Row, Col, X, Y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return terminal{}
	}
	columns := int(ws.Col)
	return terminal{IsTTY: true, Columns: &columns}
}

func frame(kind byte, payload []byte) []byte {
	out := make([]byte, 5+len(payload))
	out[0] = kind
	binary.BigEndian.PutUint32(out[1:5], uint32(len(payload)))
	copy(out[5:], payload)
	return out
}

// converse sends the command and relays the server's frames until its exit code arrives.
func converse(conn net.Conn, args []string) int {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	cwd, _ := syscall.Getwd()
	body, err := json.Marshal(request{
		Argv: args, Cwd: cwd, Env: env, Pid: os.Getpid(),
		Stdout: terminalOf(1), Stderr: terminalOf(2),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgobuild: internal error in the client: %v\n", err)
		return 3
	}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for cancels := 1; ; cancels++ {
			s := (<-signals).(syscall.Signal)
			conn.Write(frame('C', []byte(signalName(s))))
			// A third interrupt: the user will not wait for the server to clean up.
			if cancels >= 3 {
				os.Exit(128 + int(s))
			}
		}
	}()
	if _, err := conn.Write(frame('R', body)); err != nil {
		return lost()
	}
	header := make([]byte, 5)
	for {
		if _, err := io.ReadFull(conn, header); err != nil {
			return lost()
		}
		payload := make([]byte, binary.BigEndian.Uint32(header[1:5]))
		if _, err := io.ReadFull(conn, payload); err != nil {
			return lost()
		}
		switch header[0] {
		case 'O':
			os.Stdout.Write(payload)
		case 'E':
			os.Stderr.Write(payload)
		case 'W':
			var notice struct{ Pid int }
			json.Unmarshal(payload, &notice)
			fmt.Fprintf(os.Stderr, "Another command is running (pid %d), waiting…\n", notice.Pid)
		case 'X':
			var exit struct{ Code int }
			if json.Unmarshal(payload, &exit) != nil {
				return lost()
			}
			return exit.Code
		}
	}
}

func lost() int {
	fmt.Fprintln(os.Stderr, "pgobuild: the server exited before the command finished")
	return 3
}

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	default:
		return "SIGHUP"
	}
}

// execNodeClient replaces this process with the Node client, same arguments.
func execNodeClient(args []string) {
	script := filepath.Join(pkgDir, "bin", "pgobuild.js")
	node := nodePath
	if node == "" {
		fmt.Fprintln(os.Stderr, "pgobuild: this client was built without its installation (see scripts/build-client.js)")
		os.Exit(3)
	}
	err := syscall.Exec(node, append([]string{node, script}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "pgobuild: cannot start %s: %v\n", node, err)
	os.Exit(3)
}
