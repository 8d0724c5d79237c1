#!/bin/sh
# build_deb.sh REPO_ROOT OUTDIR: the Debian package (debian/, dpkg-buildpackage
# with debhelper) built from a copy of the source tree in OUTDIR/src, so the
# tree itself stays clean; the .deb lands in OUTDIR. ccache is used when
# installed (the copy's path stays the same from run to run).
set -eu
root=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
rm -rf "$out/src" "$out"/netflow_*.deb "$out"/netflow_*.buildinfo "$out"/netflow_*.changes
mkdir -p "$out/src"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    # Tracked and new files, as they are in the tree (uncommitted edits too).
    (cd "$root" && git ls-files -co --exclude-standard -z |
        tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$out/src"
else
    (cd "$root" && tar --exclude='./build*' --exclude='./obj-*' -cf - .) | tar -xf - -C "$out/src"
fi
cd "$out/src"
jobs=$(nproc)
CCACHE_BASEDIR="$out/src" dpkg-buildpackage -b -us -uc -j"$jobs" >"$out/build.log" 2>&1 || {
    tail -40 "$out/build.log"
    echo "build_deb.sh: dpkg-buildpackage failed (whole log: $out/build.log)" >&2
    exit 1
}
ls "$out"/netflow_*.deb
