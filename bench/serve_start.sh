# Sourced by bench/serve_edits.sh and bench/serve_instructions.sh: starts the preview of
# "$work/site" on a free port and waits for its first build.
#   start_serve COMMAND...   runs COMMAND serve --site "$work/site" --port $port (COMMAND is
#                            the binary, or a wrapper such as valgrind with its arguments
#                            and the binary); sets $port, $log and $pid; when the script
#                            exits the preview is stopped and "$work" removed.
start_serve() {
  log="$work/serve.log"
  # Made before the preview writes to it: the wait below reads it at once.
  : >"$log"
  port=$((20000 + RANDOM % 20000))
  "$@" serve --site "$work/site" --port "$port" >"$log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
  # The first build is done when the preview's address is printed.
  until grep -q "127.0.0.1:$port" "$log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.2
  done
}
