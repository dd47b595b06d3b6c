#!/usr/bin/env bash
# Installs the Debian packages MediaVault needs to build and test, only those
# that are missing. Exit 2 with a clear message when they cannot be installed.
# Usage: scripts/deps.sh build|check
set -u

need_build=(gcc make cmake pkg-config libssl-dev libsqlite3-dev sqlite3)
need_check=(libcmocka-dev clang-format-14 coreutils procps util-linux binutils libsqlite3-dev sqlite3
    jdupes fdupes jq python3)
# PDQ: JPEG through libjpeg-turbo, PNG through FFmpeg.
need_build+=(libjpeg62-turbo-dev libturbojpeg0-dev libavformat-dev libavcodec-dev libswscale-dev
    libavutil-dev)
need_check+=(libjpeg62-turbo-dev libturbojpeg0-dev libavformat-dev libavcodec-dev libswscale-dev
    libavutil-dev)
# fingerprint tests make GIF, WebP, BMP and TIFF files with the ffmpeg program.
need_check+=(ffmpeg)
# The sampled-decode test makes progressive and restart-marker JPEGs with cjpeg.
need_check+=(libjpeg-turbo-progs)
# Audio fingerprints: Chromaprint; the tests compare with the real fpcalc.
need_build+=(libchromaprint-dev libswresample-dev)
need_check+=(libchromaprint-dev libswresample-dev libchromaprint-tools)
# HEIC/HEIF and AVIF through libheif (optional in CMake, wanted here); the tests
# make HEIC files with heif-enc and decode them back with heif-convert.
need_build+=(libheif-dev)
need_check+=(libheif-dev libheif-examples)

want=("${need_build[@]}")
if [ "${1:-build}" = check ]; then
    want+=("${need_check[@]}")
fi

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "mediavault: installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "mediavault: cannot install ${missing[*]}: run as root, or install them with" >&2
    echo "    sudo apt-get install ${missing[*]}" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
    "${sudo[@]}" apt-get update -q >/dev/null &&
        "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi || {
    echo "mediavault: apt-get could not install: ${missing[*]}" >&2
    exit 2
}
