#!/bin/sh
# run_spin.sh NX GEN KERNEL [dfs]   (KERNEL = v6.1 | v6.3)
# Generates pan from scaled.pml with -DNX -DGEN -DKERNEL_V63, compiles it with
# gcc -O2 -DSAFETY -DBFS (breadth-first, like taskcheck; pass a 4th argument
# `dfs` for pan's default depth-first search with partial-order reduction),
# runs ./pan -m100000 and prints one line:
#   spin NX GEN KERNEL verdict=<deadlock|ok|timeout|memlimit|incomplete> states=N transitions=N seconds=S memory_mb=M
# Env: SPIN_TIMEOUT (seconds, default 120), SPIN_MEMLIM (MB, default 8000).
# Always exits 0; without spin it says so (the benchmark skips it).
set -u
NX=${1:?usage: run_spin.sh NX GEN v6.1|v6.3 [dfs]}
GEN=${2:?usage: run_spin.sh NX GEN v6.1|v6.3 [dfs]}
KERNEL=${3:?usage: run_spin.sh NX GEN v6.1|v6.3 [dfs]}
MODE=${4:-bfs}
TMO=${SPIN_TIMEOUT:-120}
MEMLIM=${SPIN_MEMLIM:-8000}
case $KERNEL in
v6.1) V63=0 ;;
v6.3) V63=1 ;;
*) echo "run_spin.sh: KERNEL must be v6.1 or v6.3" >&2; exit 0 ;;
esac
if ! command -v spin >/dev/null 2>&1; then
	echo "spin: not installed (apt-get install spin)"
	exit 0
fi
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/spin.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
cd "$DIR" || exit 0
cp "$HERE/scaled.pml" .
BFS=-DBFS
[ "$MODE" = dfs ] && BFS=
if ! spin -DNX="$NX" -DGEN="$GEN" -DKERNEL_V63="$V63" -a scaled.pml >spin.log 2>&1; then
	echo "spin $NX $GEN $KERNEL verdict=error states=0 transitions=0 seconds=0 memory_mb=0"
	sed 's/^/  /' spin.log >&2
	exit 0
fi
if ! gcc -O2 -DSAFETY $BFS -DMEMLIM="$MEMLIM" -o pan pan.c >gcc.log 2>&1; then
	echo "spin $NX $GEN $KERNEL verdict=error states=0 transitions=0 seconds=0 memory_mb=0"
	tail -5 gcc.log >&2
	exit 0
fi
T0=$(date +%s.%N)
timeout "$TMO" ./pan -m100000 >pan.out 2>&1
RC=$?
T1=$(date +%s.%N)
SECS=$(echo "$T0 $T1" | awk '{ printf "%.2f", $2 - $1 }')
if grep -q '^pan:[0-9]*: invalid end state' pan.out; then
	VERDICT=deadlock
elif [ "$RC" = 124 ]; then
	VERDICT=timeout
elif grep -q 'MEMLIM' pan.out; then
	VERDICT=memlimit
elif grep -q 'errors: 0' pan.out && ! grep -q 'Search not completed' pan.out; then
	VERDICT=ok
else
	VERDICT=incomplete
fi
if grep -q 'states, stored' pan.out; then
	STATES=$(awk '/states, stored/ { printf "%d", $1; exit }' pan.out)
	TRANS=$(awk '/transitions \(= stored\+matched\)/ { printf "%d", $1; exit }' pan.out)
	MEM=$(awk '/total actual memory usage/ { print $1; exit }' pan.out)
else
	# killed: the last progress line (Depth= States= Transitions= Memory=)
	LAST=$(grep '^Depth=' pan.out | tail -1)
	STATES=$(echo "$LAST" | sed -n 's/.*States= *\([0-9.e+]*\).*/\1/p' | awk '{ printf "%d", $1 }')
	TRANS=$(echo "$LAST" | sed -n 's/.*Transitions= *\([0-9.e+]*\).*/\1/p' | awk '{ printf "%d", $1 }')
	MEM=$(echo "$LAST" | sed -n 's/.*Memory= *\([0-9.]*\).*/\1/p')
fi
echo "spin $NX $GEN $KERNEL verdict=$VERDICT states=${STATES:-0} transitions=${TRANS:-0} seconds=$SECS memory_mb=${MEM:-0}"
exit 0
