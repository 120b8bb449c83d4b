#!/usr/bin/env bash
# The packages deb.sh built are ones a Debian maintainer would accept: each
# has a machine-readable copyright file and its changelog.Debian.gz; the
# daemon, the CLI and the plugin are hardened (hardening-check: PIE, stack
# protector, fortify, RELRO, bindnow) and stripped, their debug symbols in
# plugrpcd-dbgsym by build id; the static libraries carry no debug sections;
# and lintian finds no error, and no warning that the package does not
# override with a reason written above the override.
#
# usage: deb_policy.sh BUILD_DIR
#   BUILD_DIR  the folder deb.sh left plugrpcd_*.deb, plugrpc-dev_*.deb and
#              plugrpcd-dbgsym_*.ddeb in
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
setup_test
build=$1
deb=$(one_file "$build" 'plugrpcd_*.deb')
dev=$(one_file "$build" 'plugrpc-dev_*.deb')
dbgsym=$(one_file "$build" 'plugrpcd-dbgsym_*.ddeb')
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for file in "$deb" "$dev" "$dbgsym"; do
    dpkg-deb -x "$file" "$TMP/$(dpkg-deb -f "$file" Package)"
done
daemon=$TMP/plugrpcd sdk=$TMP/plugrpc-dev symbols=$TMP/plugrpcd-dbgsym

echo "copyright and changelog.Debian.gz in each package"
for file in "$deb" "$dev"; do
    package=$(dpkg-deb -f "$file" Package)
    doc=$TMP/$package/usr/share/doc/$package
    head -n 1 "$doc/copyright" | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
        fail "$package: copyright is not in the machine-readable format"
    grep -q '^License: ' "$doc/copyright" || fail "$package: copyright names no license"
    # gzip -9n: no file name, no time stamp (byte 3 flags, bytes 4-7 mtime).
    [ "$(head -c 8 "$doc/changelog.Debian.gz" | od -An -tx1 | tr -d ' \n')" = 1f8b080000000000 ] ||
        fail "$package: changelog.Debian.gz was not made with gzip -n"
    top=$(zcat "$doc/changelog.Debian.gz" | head -n 1)
    [[ $top == "plugrpc ($(dpkg-deb -f "$file" Version)) "* ]] ||
        fail "$package: the changelog's newest entry is '$top', not the package's version"
done

echo "hardening-check: plugrpcd, plugrpc-plugin-host, plugrpc, arith.so"
elves=("$daemon/usr/sbin/plugrpcd" "$daemon/usr/lib/plugrpcd/plugrpc-plugin-host" "$daemon/usr/bin/plugrpc"
    "$daemon/usr/lib/plugrpcd/plugins/arith.so")
# Not control flow protection (-fcf-protection): Debian 12's dpkg-buildflags
# has no such feature (dpkg 1.22 added "branch"), so Debian 12 builds none.
for elf in "${elves[@]}"; do
    hardening-check --nocfprotection "$elf" >"$TMP/hardening" 2>&1 ||
        { cat "$TMP/hardening" >&2; fail "hardening-check $elf"; }
    sed 's/^/  /' "$TMP/hardening"
done

echo "stripped, with the debug symbols in $(basename "$dbgsym")"
for elf in "${elves[@]}"; do
    file -b "$elf" | grep -q ', stripped' || fail "$elf is not stripped: $(file -b "$elf")"
    id=$(readelf -n "$elf" | sed -n 's/^ *Build ID: \([0-9a-f]*\)$/\1/p')
    [ -n "$id" ] || fail "$elf has no build id"
    debug=$symbols/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
    [ -f "$debug" ] || fail "no debug symbols for $elf (build id $id) in $(basename "$dbgsym")"
    grep -q '\.debug_info' <<<"$(readelf -S --wide "$debug" 2>/dev/null)" || fail "$debug holds no .debug_info"
    grep -q "${id:2}\.debug" <<<"$(readelf --string-dump=.gnu_debuglink "$elf" 2>/dev/null)" ||
        fail "$elf has no .gnu_debuglink to ${id:2}.debug"
done
for lib in "$sdk/usr/lib/$multiarch"/libplugrpc_*.a; do
    sections=$(readelf -S --wide "$lib" | grep -c ' \.debug_' || true)
    [ "$sections" -eq 0 ] || fail "$(basename "$lib") keeps $sections debug sections (strip --strip-debug)"
    defined=$(nm "$lib" 2>/dev/null | grep -c ' T ' || true)
    [ "$defined" -gt 0 ] || fail "$(basename "$lib") lost its symbol table"
    echo "  $(basename "$lib"): no debug sections, $defined functions in its symbol table"
done

echo "lintian"
for file in "$deb" "$dev"; do
    package=$(dpkg-deb -f "$file" Package)
    overrides=$TMP/$package/usr/share/lintian/overrides/$package
    # Every override says why, in a comment right above it.
    if [ -f "$overrides" ]; then
        awk '/^#/ { why = 1; next } /^[[:space:]]*$/ { why = 0; next }
             !why { print FILENAME ": no reason above: " $0; bad = 1 } END { exit bad }' "$overrides" >&2 ||
            fail "$package: an override without a reason"
    fi
    # Overrides shown (O:), so the record says what was accepted and why;
    # with them shown, --fail-on would count them too, so the E: and W:
    # lines decide, and the status says only that lintian ran.
    status=0
    timeout 300 lintian --fail-on none --show-overrides --display-info --tag-display-limit 0 "$file" \
        >"$TMP/lintian" 2>&1 || status=$?
    echo "lintian $(basename "$file"): status $status"
    sed 's/^/  /' "$TMP/lintian"
    [ "$status" -eq 0 ] || fail "lintian failed on $(basename "$file") (status $status)"
    if grep -E '^[EW]: ' "$TMP/lintian" >&2; then
        fail "$package: lintian errors or warnings not overridden"
    fi
    if grep -E 'unused-override|mismatched-override|malformed-override' "$TMP/lintian" >&2; then
        fail "$package: an override that matches nothing"
    fi
done
echo "ok"
