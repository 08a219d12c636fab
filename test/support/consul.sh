#!/usr/bin/env bash
# Provides the `consul` binary for tests and the demo and prints its path.
#   1. $CONSUL_BIN if set, 2. `consul` on PATH, 3. Debian bullseye's consul (1.8.7) fetched through a
#   private apt configuration (own sources list, lists and cache under .cache/consul-apt) that reuses
#   the URIs and Signed-By keyring of this machine's own Debian apt source, extracted with dpkg-deb.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$root/.cache/consul"

if [ -n "${CONSUL_BIN:-}" ]; then
  [ -x "$CONSUL_BIN" ] || { echo "consul.sh: CONSUL_BIN=$CONSUL_BIN is not executable" >&2; exit 1; }
  echo "$CONSUL_BIN"; exit 0
fi
if command -v consul >/dev/null 2>&1; then command -v consul; exit 0; fi
if [ -x "$cache/root/usr/bin/consul" ]; then echo "$cache/root/usr/bin/consul"; exit 0; fi

# Find the machine's own Debian source (deb822 or one-line format) and take its URIs and keyring.
uris="" keyring=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  # each stanza is separated by a blank line; take the first stanza whose Suites has a plain Debian suite
  stanza=$(awk -v RS= '/Suites:[^\n]*(bookworm|bullseye|trixie|sid|stable)( |$|\n)/ && !/-security/ {print; exit}' "$f")
  [ -n "$stanza" ] || continue
  uris=$(printf '%s\n' "$stanza" | sed -n 's/^URIs:[[:space:]]*//p' | head -1)
  keyring=$(printf '%s\n' "$stanza" | sed -n 's/^Signed-By:[[:space:]]*//p' | head -1)
  [ -n "$uris" ] && break
done
if [ -z "$uris" ] && [ -f /etc/apt/sources.list ]; then
  line=$(grep -E '^deb[[:space:]]' /etc/apt/sources.list | grep -v -- '-security' | grep -E 'debian' | head -1 || true)
  if [ -n "$line" ]; then
    keyring=$(printf '%s' "$line" | sed -n 's/.*signed-by=\([^] ]*\).*/\1/p')
    uris=$(printf '%s' "$line" | sed -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}')
  fi
fi
[ -n "$uris" ] || { echo "consul.sh: no Debian apt source found in /etc/apt; set CONSUL_BIN" >&2; exit 1; }
[ -n "$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg

apt="$root/.cache/consul-apt"
mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc" "$cache"
cat > "$apt/etc/bullseye.sources" <<SRC
Types: deb
URIs: $uris
Suites: bullseye
Components: main
Signed-By: $keyring
SRC
opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt/etc"
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt" -o "Dir::Cache::Archives=$apt/archives"
      -o "Dir::State::Status=/var/lib/dpkg/status" -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
echo "consul.sh: fetching consul from Debian bullseye ($uris)" >&2
apt-get "${opts[@]}" -qq update >&2
( cd "$apt/archives" && apt-get "${opts[@]}" -qq download consul >&2 )
deb=$(ls -t "$apt"/archives/consul_*.deb | head -1)
rm -rf "$cache/root"; dpkg-deb -x "$deb" "$cache/root"
"$cache/root/usr/bin/consul" version >&2
echo "$cache/root/usr/bin/consul"
