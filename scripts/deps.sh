#!/bin/sh
# Installs the Debian 12 packages the kiosk needs to build, test and run its demo.
# Skips apt entirely when everything is already installed.
set -e
PKGS="build-essential cmake pkg-config gettext
libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libqrencode-dev libzbar-dev libv4l-dev
libcurl4-gnutls-dev libcups2-dev cups cups-client cups-bsd libsqlite3-dev sqlite3
libsodium-dev libcjson-dev libinih-dev libmicrohttpd-dev libcmocka-dev zbar-tools
fontconfig libfontconfig-dev fonts-noto-cjk libpng-dev zlib1g-dev procps python3 curl openssl
espeak-ng iproute2 pcscd vsmartcard-vpcd libpcsclite-dev nettle-dev
libopencv-objdetect-dev opencv-data libturbojpeg0-dev
mosquitto mosquitto-clients libmosquitto-dev libsystemd-dev systemd udev libarchive-dev lintian dpkg-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi
