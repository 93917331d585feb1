#!/usr/bin/env bash
# Makes a Debian bookworm image with a Java 17 runtime from Debian's archive alone, for machines
# that cannot pull from a container registry, and tags it (default local/gridmeter-base:bookworm-jre17).
# Build the GridMeter images on it with the Dockerfile's build arguments:
#   docker build -f docker/Dockerfile --build-arg BUILD_IMAGE=TAG --build-arg RUNTIME_IMAGE=TAG \
#       --build-arg JARS=host --target server -t gridmeter-server .      (after mvn package)
# Needs root, mmdebstrap (apt-get install -y mmdebstrap) and a running Docker engine; ~1 min, 350 MB.
set -euo pipefail

tag="${1:-local/gridmeter-base:bookworm-jre17}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
docker="${DOCKER:-/usr/bin/docker}"

command -v mmdebstrap >/dev/null || { echo "base-image: mmdebstrap not found: apt-get install -y mmdebstrap" >&2; exit 2; }
"$docker" info >/dev/null 2>&1 || { echo "base-image: no Docker engine answers: start dockerd first" >&2; exit 2; }
if "$docker" image inspect "$tag" >/dev/null 2>&1; then
    echo "base-image: $tag exists already"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "base-image: debootstrapping bookworm with openjdk-17-jre-headless from $mirror (about a minute)..."
# Man pages are left out; the JRE's install script still needs /usr/share/man/man1 to exist.
mmdebstrap --quiet --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
    --dpkgopt='path-exclude=/usr/share/man/*' --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
    bookworm "$work/base.tar" "deb $mirror bookworm main"
"$docker" import --change 'ENV LANG=C.UTF-8' "$work/base.tar" "$tag" >/dev/null
echo "base-image: $tag ready ($(du -h "$work/base.tar" | cut -f1))"
