# shellcheck shell=bash
# median [FILE]: the median of the numbers in FILE (or on stdin), separated
# by blanks or line ends: the middle one, or the mean of the middle two for
# an even count; nothing when there is none. Sourced by the bench scripts
# (every verdict of `make bench` is on medians of several rounds).
median() {
    tr -s ' \t' '\n\n' <"${1:-/dev/stdin}" | grep . | sort -g |
        awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
