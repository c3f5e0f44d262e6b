#!/usr/bin/env bash
# A profile-guided build of huibao (PGO, as rustc's and Firefox's release builds): compile it
# once with counters, run it on what users build, and compile it again telling LLVM which
# branches and calls were hot.
#
#   bash bench/pgo.sh            -> target/pgo/huibao (also printed on the last line)
#
# Needs rustup's `llvm-tools` component (`rustup component add llvm-tools`; its
# llvm-profdata must be the one of the compiler's LLVM). Two full compiles of the
# `release-lto` profile (~25 minutes on 2 cores), each in its own target folder so the
# usual `target/release` is left alone. Training: the bundled report (build, check), a
# 2,000-village scale site (bench/scale_site.py: build into an empty folder, build again over
# it, check) and the same in English messages. Measure the result with the other scripts:
# `HUIBAO_BIN=target/pgo/huibao bash bench/scale.sh 10000`, or against the plain build with
# `bash bench/ab.sh target/release-lto/huibao target/pgo/huibao SITE 11`.
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
sysroot=$(rustc --print sysroot)
profdata="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
  echo "llvm-profdata not found at $profdata: run \`rustup component add llvm-tools\`" >&2
  exit 1
fi

root="$PWD/target/pgo"
scratch="${HUIBAO_BENCH_SCRATCH:-$root/scratch}"
raw="$root/profraw"
rm -rf "$raw" "$scratch"
mkdir -p "$raw" "$scratch"

# `--target` keeps RUSTFLAGS off build scripts and procedural macros (they are not run by
# the training, so they would only leave empty profiles and slow the build).
build() { # build TARGET_DIR RUSTFLAGS
  CARGO_TARGET_DIR="$1" RUSTFLAGS="$2" cargo build --profile release-lto --target "$host" --quiet
}

echo "1/3 compiling with counters (target/pgo-generate)" >&2
build "$PWD/target/pgo-generate" "-Cprofile-generate=$raw"
counting="$PWD/target/pgo-generate/$host/release-lto/huibao"

echo "2/3 training on the bundled report and a 2,000-village site" >&2
python3 bench/scale_site.py 2000 "$scratch/site" > /dev/null
# (A run that fails would train the profile on its error path: stop and show it.)
train() {
  if ! "$counting" "$@" > "$root/train.log" 2>&1; then
    echo "training run failed: huibao $*" >&2
    cat "$root/train.log" >&2
    exit 1
  fi
}
train build --out "$scratch/bundled"
train check
train --lang en check
train build --site "$scratch/site" --out "$scratch/out"
train build --site "$scratch/site" --out "$scratch/out"
train check --site "$scratch/site"
train --lang en build --site "$scratch/site" --out "$scratch/out"
"$profdata" merge -o "$root/merged.profdata" "$raw"

echo "3/3 compiling with the profile (target/pgo-use)" >&2
build "$PWD/target/pgo-use" "-Cprofile-use=$root/merged.profdata"
cp "$PWD/target/pgo-use/$host/release-lto/huibao" "$root/huibao"
rm -rf "$scratch"
echo "$root/huibao"
