#!/bin/sh
# gen_bash_completion.sh NETFLOW OUT: writes the bash completion of netflow
# from `NETFLOW --help` (CLI11's listing), so that it lists exactly the flags
# the binary has. Choices come from the listing too (ENUM:a,b / TEXT:{a,b});
# which flags take files, interfaces or users is said below.
set -eu
netflow=$1
out=$2
help=$("$netflow" --help)

# Option lines: "  -i,--interface TEXT ...", "  --stats   ..." (continuation
# lines of long descriptions start with many spaces and no dash).
options=$(printf '%s\n' "$help" | sed -n 's/^  \(-[^ ]*\)\( \([^ ]*\)\)\{0,1\}.*/\1 \3/p')

flags=""
valued=""
choices=""
for_each() {
    printf '%s\n' "$options" | while read -r names type; do
        printf '%s %s\n' "$(printf '%s' "$names" | tr ',' ' ')" "${type:-}"
    done
}
flags=$(for_each | while read -r line; do
    for w in $line; do case $w in -*) printf '%s ' "$w" ;; esac; done
done)
valued=$(for_each | awk '{ t = $NF; if (t !~ /^-/) { for (i = 1; i < NF; i++) printf "%s|", $i } }')
choice_cases=$(for_each | awk '{
    t = $NF
    if (t ~ /^ENUM:/ || t ~ /:\{/) {
        sub(/^[A-Z]*:/, "", t); gsub(/[{}]/, "", t); gsub(/,/, " ", t)
        names = ""
        for (i = 1; i < NF; i++) names = names (names == "" ? "" : "|") $i
        printf "        %s) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n", names, t
    }
}')

cat >"$out" <<SCRIPT
# bash completion for netflow(8). Generated from \`netflow --help\` by
# packaging/gen_bash_completion.sh at build time: do not edit.
_netflow() {
    local cur=\${COMP_WORDS[COMP_CWORD]} prev=
    [ "\$COMP_CWORD" -gt 0 ] && prev=\${COMP_WORDS[COMP_CWORD-1]}
    COMPREPLY=()
    case "\$prev" in
        -i|--interface)
            COMPREPLY=(\$(compgen -W "\$(ls /sys/class/net 2>/dev/null)" -- "\$cur")); return ;;
        -f|--file|--labels|--spool|--cacert)
            COMPREPLY=(\$(compgen -f -- "\$cur")); return ;;
        --user)
            COMPREPLY=(\$(compgen -u -- "\$cur")); return ;;
        --version)
            COMPREPLY=(\$(compgen -W "1 2 3" -- "\$cur")); return ;;
$choice_cases
        ${valued%|})
            return ;;
    esac
    if [[ "\$cur" == -* ]]; then
        COMPREPLY=(\$(compgen -W "$flags" -- "\$cur"))
        return
    fi
    COMPREPLY=(\$(compgen -f -- "\$cur"))
}
complete -F _netflow netflow
SCRIPT
