# Sourced by the bench scripts: sets $bin to the huibao binary to measure.
#   HUIBAO_BIN=path              that binary (an older one, to compare), nothing built
#   HUIBAO_BENCH_PROFILE=name    the cargo profile to build and measure (default release-lto,
#                                the build to install for a large report; `release` is the
#                                tests' and development's, without link-time optimisation:
#                                it recompiles in about a minute where release-lto takes ~5)
if [ -n "${HUIBAO_BIN:-}" ]; then
  bin="$HUIBAO_BIN"
else
  profile="${HUIBAO_BENCH_PROFILE:-release-lto}"
  cargo build --profile "$profile" --quiet
  bin="$PWD/target/$profile/huibao"
fi
