#!/usr/bin/env bash
# The Debian package: built (packaging/build_deb.sh, as `make deb`), lintian
# clean of errors; unpacked into a fresh root (dpkg -x): every library the
# installed binary loads (ldd) belongs to a package its Depends names (dpkg
# -S), --about runs and the golden captures convert to their expected rows
# with the installed files; then installed for real with `apt-get install
# ./netflow_*.deb`, checked (man, completion, the unit verified), and purged:
# nothing it installed is left.
#   deb.sh REPO_ROOT OUTDIR [--reuse]   (--reuse: check OUTDIR's .deb, no build)
set -uo pipefail
root=$1
out=$2
fail() {
    echo "FAIL: $*"
    exit 1
}
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: installing the package needs root"
    exit 77
fi
if dpkg-query -W -f='${Status}' netflow 2>/dev/null | grep -q 'install ok installed'; then
    fail "a netflow package is already installed here; remove it first (dpkg --purge netflow)"
fi
tmp=$(mktemp -d /tmp/nf-deb.XXXXXX)
installed=0
cleanup() {
    [ "$installed" = 1 ] && dpkg --purge netflow >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

if [ "${3:-}" = --reuse ] && ls "$out"/netflow_*.deb >/dev/null 2>&1; then
    deb=$(ls "$out"/netflow_*.deb)  # checking a package built before (make deb)
else
    start=$(date +%s)
    deb=$("$root/packaging/build_deb.sh" "$root" "$out") || fail "the package did not build: $deb"
    echo "built $deb in $(($(date +%s) - start)) s"
fi

# lintian: no error (warnings are reported, not fatal).
lintian --fail-on error --no-tag-display-limit "$deb" >"$tmp/lintian.txt" 2>&1 ||
    fail "lintian: $(grep '^E:' "$tmp/lintian.txt" || cat "$tmp/lintian.txt")"
grep -E '^[WE]:' "$tmp/lintian.txt" | sed 's/^/lintian: /'

# Contents.
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/sbin/netflow ./usr/libexec/netflow/netflow ./usr/share/man/man8/netflow.8.gz \
    ./usr/share/bash-completion/completions/netflow ./lib/systemd/system/netflow@.service \
    ./etc/netflow/eth0.conf.sample ./usr/share/doc/netflow/copyright; do
    grep -qxF "$f" <<<"$contents" || fail "$f not in the package: $contents"
done

# Depends, against what the installed binary really loads.
depends=$(dpkg-deb -f "$deb" Depends)
for pkg in libndpi4.2 libbpf1 libxdp1 libpcap0.8 libcurl4 libcpp-httplib0.11 libc6; do
    grep -qE "(^|, )$pkg( |,|$)" <<<"$depends" || fail "Depends lacks $pkg: $depends"
done
dpkg -x "$deb" "$tmp/root"
# The command (the entry that sets the allocator up, libc alone) and the
# program it runs.
binary=$tmp/root/usr/sbin/netflow
program=$tmp/root/usr/libexec/netflow/netflow
[ "$(ldd "$binary" | awk '/=> \// {print $1}' | tr '\n' ' ')" = "libc.so.6 " ] ||
    fail "the entry loads more than libc: $(ldd "$binary")"
libs=$(ldd "$program" | awk '/=> \// {print $3}')
[ -n "$libs" ] || fail "ldd found no library: $(ldd "$program")"
# What Depends brings: its packages and everything they depend on.
# shellcheck disable=SC2046
closure=$(apt-cache depends --recurse --important \
    $(sed 's/([^)]*)//g; s/|/,/g; s/,/ /g' <<<"$depends") 2>/dev/null | grep -v '^ ' | sort -u)
for lib in $libs; do
    real=$(readlink -f "$lib")
    owner=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null)
    owner=${owner%%:*}
    [ -n "$owner" ] || fail "$lib belongs to no package"
    grep -qx -- "$owner" <<<"$closure" || fail "$lib ($owner) is not brought by Depends: $depends"
done
# And the libraries netflow links itself are named directly, not by luck.
# libcurl is not linked: it is loaded when a run needs it (-u, --about), so
# its package is checked by name above and by --about below, which prints
# the loaded libcurl's version.
for direct in libndpi libbpf libxdp libpcap libcpp-httplib libcap libseccomp libcrypto; do
    lib=$(ldd "$program" | awk -v l="$direct" 'index($1, l ".so") == 1 {print $3}')
    [ -n "$lib" ] || fail "the program does not load $direct"
    owner=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "/usr$lib")
    owner=${owner%%:*}
    grep -qE "(^|, )$owner( |,|$)" <<<"$depends" || fail "$direct ($owner) not in Depends: $depends"
done

# The unpacked files work: --about, the golden captures.
"$binary" --about >"$tmp/about.txt" || fail "installed --about: $(cat "$tmp/about.txt")"
grep -q "^netflow $(dpkg-deb -f "$deb" Version)$" "$tmp/about.txt" ||
    fail "--about does not say the package's version: $(head -1 "$tmp/about.txt")"
grep -q "^  libcurl/" "$tmp/about.txt" ||
    fail "--about did not load libcurl: $(grep -i curl "$tmp/about.txt")"
"$root/tests/golden/check_golden.sh" "$binary" "$root" || fail "the installed binary's rows differ"
zcat "$tmp/root/usr/share/man/man8/netflow.8.gz" | grep -q '^\.SH EXIT STATUS' || fail "man page"

# Installed for real, as a user would, then purged.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$(readlink -f "$deb")" \
    >"$tmp/apt.log" 2>&1 || fail "apt-get install ./$(basename "$deb"): $(tail -5 "$tmp/apt.log")"
installed=1
dpkg -L netflow >"$tmp/files.txt"
/usr/sbin/netflow --about >/dev/null || fail "/usr/sbin/netflow --about"
[ "$(man -w netflow)" = /usr/share/man/man8/netflow.8.gz ] || fail "man -w netflow: $(man -w netflow)"
out_verify=$(cd / && systemd-analyze verify netflow@lo.service 2>&1)
[ -z "$out_verify" ] || fail "systemd-analyze verify netflow@lo.service (installed): $out_verify"
bash -c 'source /usr/share/bash-completion/completions/netflow && complete -p netflow' >/dev/null ||
    fail "installed completion"
# A conffile the admin edits, and one the admin adds (removed with --purge only).
echo 'NETFLOW_OPTS="-c flows.csv"' >/etc/netflow/lo.conf
dpkg --remove netflow >/dev/null || fail "dpkg --remove"
[ ! -e /usr/sbin/netflow ] || fail "/usr/sbin/netflow left after remove"
[ -e /etc/netflow/eth0.conf.sample ] || fail "remove took the conffile (only purge should)"
rm -f /etc/netflow/lo.conf
dpkg --purge netflow >/dev/null || fail "dpkg --purge"
installed=0
dpkg-query -W -f='${Status}' netflow 2>/dev/null | grep -q installed && fail "still installed"
left=""
# Every file and link of the package is gone; so is every directory no
# other package owns (not /usr, /etc, /lib ...).
while read -r type path; do
    f=${path#.}
    f=${f%/}
    [ -n "$f" ] || continue
    if [ "$type" = d ]; then
        [ -d "$f" ] && [ ! -L "$f" ] && [ -z "$(dpkg -S "$f" 2>/dev/null)" ] && left+=" $f/"
    elif [ -e "$f" ] || [ -L "$f" ]; then
        left+=" $f"
    fi
done < <(dpkg-deb -c "$deb" | awk '{print substr($1, 1, 1), $6}')
grep -qx /usr/sbin/netflow "$tmp/files.txt" || fail "dpkg -L did not list /usr/sbin/netflow"
[ -e /etc/netflow ] && left+=" /etc/netflow"
[ -z "$left" ] || fail "left after purge:$left"
echo "deb: $(basename "$deb") built, lintian clean of errors, Depends cover ldd, installed and purged without leftovers"
