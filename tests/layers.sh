#!/usr/bin/env bash
# The layers stay layers: what each folder may include of the others.
#   plugin-sdk/  nothing of the tree
#   wire/        the SDK
#   client/      the SDK and wire/
#   server/      the SDK and wire/
#   daemon/      all but client/
# usage: layers.sh SOURCE_DIR
set -u
cd "$1" || exit 2
status=0
refuse() { # FOLDER PATTERN WHY
    local hits
    hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<]($2)/" "$1" --include='*.hpp' --include='*.cpp' --include='*.h' --include='*.c' || true)
    if [ -n "$hits" ]; then
        printf 'FAIL: %s\n%s\n' "$3" "$hits"
        status=1
    fi
}
refuse plugin-sdk 'wire|server|daemon|client|codec' "plugin-sdk/ includes the tree's own code"
refuse wire 'server|daemon|client' "wire/ (the protocols) includes a layer above it"
refuse client 'server|daemon' "client/ includes the server or the daemon"
refuse server 'daemon|client' "server/ includes the daemon or the client"
refuse daemon 'client' "daemon/ includes the client"
[ $status = 0 ] && echo "ok: plugin-sdk < wire < client, server < daemon"
exit $status
