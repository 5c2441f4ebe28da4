#!/usr/bin/env bash
# Installs Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) where io.floe.trainer.data.FashionMnist
# looks by default: Debian's dataset-fashion-mnist package puts the four gzipped IDX files into
# /usr/share/datasets/fashion-mnist. Safe to run again: it does nothing when the files are there.
#
# Usage: scripts/setup-fashion-mnist.sh
# Other systems: download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
# t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from
# https://github.com/zalandoresearch/fashion-mnist into any directory and pass it to the loader.
set -euo pipefail

DIR=/usr/share/datasets/fashion-mnist
PACKAGE=dataset-fashion-mnist
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

# Prints the missing files, one per line; a file counts if it is there raw or gzipped.
missing() {
    local f
    for f in "${FILES[@]}"; do
        if [[ ! -f "$DIR/$f" && ! -f "$DIR/$f.gz" ]]; then
            echo "$f"
        fi
    done
}

if [[ -z "$(missing)" ]]; then
    echo "Fashion-MNIST is already installed in $DIR"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: apt-get not found; this script installs the Debian package $PACKAGE." >&2
    echo "Download the four *-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist instead." >&2
    exit 1
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "error: installing $PACKAGE needs root, and sudo is not available" >&2
        exit 1
    fi
    SUDO=(sudo)
fi

echo "Installing $PACKAGE (about 31 MB) with apt-get ..."
if ! "${SUDO[@]}" apt-get install -y "$PACKAGE"; then
    # a fresh container often has no package lists yet
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" apt-get install -y "$PACKAGE"
fi

still_missing="$(missing)"
if [[ -n "$still_missing" ]]; then
    echo "error: $PACKAGE is installed but these files are not in $DIR:" >&2
    echo "$still_missing" >&2
    exit 1
fi
echo "Fashion-MNIST installed in $DIR:"
ls -l "$DIR"
