#!/usr/bin/env bash
# The man pages render without a groff warning, carry the project's version,
# and document every command-line option of plugrpcd and of plugrpc and every
# key the config reader knows (read from daemon/main.cpp,
# client/cli/options.cpp and daemon/config/config.cpp, so a new option or key
# without documentation fails here).
#
# usage: man_pages.sh SOURCE_DIR VERSION
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
setup_test
src=$1 version=$2
man8=$src/packaging/man/plugrpcd.8
man5=$src/packaging/man/plugrpcd.toml.5
man1=$src/packaging/man/plugrpc.1

for page in "$man8" "$man5" "$man1"; do
    echo "render $(basename "$page")"
    warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 timeout 30 \
        man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null) ||
        fail "$page: man failed: $warnings"
    [ -z "$warnings" ] || { echo "$warnings" >&2; fail "$page: groff warnings"; }
    grep -q "^\.TH .* \"plugrpc $version\"" "$page" || fail "$page: .TH does not name plugrpc $version"
done

# roff spells a hyphen in an option \-.
roff() { printf '%s' "$1" | sed 's/-/\\-/g'; }

echo "options of plugrpcd"
options=$(grep -o 'a == "-[-a-zA-Z]*"' "$src/daemon/main.cpp" | sed 's/a == "\(.*\)"/\1/' | sort -u)
[ -n "$options" ] || fail "found no options in daemon/main.cpp: update this test"
for opt in $options; do
    grep -qF -- "$(roff "$opt")" "$man8" || fail "plugrpcd(8) does not document $opt"
done

echo "options of plugrpc"
cli_options=$(grep -o 'a == "-[-a-zA-Z]*"' "$src/client/cli/options.cpp" | sed 's/a == "\(.*\)"/\1/' | sort -u)
[ -n "$cli_options" ] || fail "found no options in client/cli/options.cpp: update this test"
for opt in $cli_options; do
    grep -qF -- "$(roff "$opt")" "$man1" || fail "plugrpc(1) does not document $opt"
done
for code in 0 1 2 64; do
    grep -qx "\.B $code" "$man1" || fail "plugrpc(1) does not document exit status $code"
done

echo "keys of plugrpcd.toml"
# known_keys(t, "server.", {"listen", ...}) -> "server listen" lines;
# the root's known_keys(root, "", {...}) -> "- server" lines (the tables).
keys=$(perl -0777 -ne 'while (/known_keys\(\s*\w+\s*,\s*"(\w*)\.?"\s*,\s*\{([^}]*)\}/g) {
                          my $t = $1 || "-"; print "$t $_\n" for $2 =~ /"(\w+)"/g }' \
    "$src/daemon/config/config.cpp")
[ -n "$keys" ] || fail "found no keys in daemon/config/config.cpp: update this test"
# The roff of one `.SH [table]` section.
section() { awk -v h=".SH [$1]" '$0 == h { on = 1; next } /^\.SH / { on = 0 } on' "$man5"; }
while read -r table key; do
    if [ "$table" = - ]; then
        [ "$key" = plugin ] && key=plugin.NAME
        grep -qxF ".SH [$key]" "$man5" || fail "plugrpcd.toml(5) has no section [$key]"
    else
        section "$table" | grep -q "^\.BR $(roff "$key") " ||
            fail "plugrpcd.toml(5) does not document [$table] $key"
    fi
done <<<"$keys"
echo "ok: $(wc -w <<<"$options") + $(wc -w <<<"$cli_options") options, $(wc -l <<<"$keys") keys and tables"
