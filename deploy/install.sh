#!/usr/bin/env bash
# Installs FashionSort from this checkout: Debian packages, a release build,
# binaries and the model under PREFIX, the example configuration in
# /etc/fashionsort, and the systemd units (enabled and started where systemd
# runs). Safe to run again. Usage:
#   deploy/install.sh [--prefix DIR] [--no-systemd] [--uninstall]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=/usr/local systemd=yes action=install
while (($#)); do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --no-systemd) systemd=no; shift ;;
    --uninstall) action=uninstall; shift ;;
    *) echo "usage: $0 [--prefix DIR] [--no-systemd] [--uninstall]" >&2; exit 2 ;;
  esac
done
have_systemd() { [ "$systemd" = yes ] && [ -d /run/systemd/system ]; }
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

if [ "$action" = uninstall ]; then
  if have_systemd; then $sudo systemctl disable --now fashionsortd.service 2>/dev/null || true; fi
  $sudo rm -f "$prefix/bin/fashionsort" "$prefix/bin/fashionsortd" /etc/systemd/system/fashionsortd.service /etc/systemd/system/fashionsortd@.service
  $sudo rm -rf "$prefix/share/fashionsort"
  if have_systemd; then $sudo systemctl daemon-reload; fi
  echo "uninstalled (kept /etc/fashionsort and /var/lib/fashionsort)"
  exit 0
fi

. deploy/deps.sh
fashionsort_install_deps
# Built on the machine that runs it, so the numeric core may use every instruction it has.
FASHIONSORT_CPU="${FASHIONSORT_CPU:-native}" swift build -c release
bin=$(swift build -c release --show-bin-path)
$sudo install -d "$prefix/bin" "$prefix/share/fashionsort"
$sudo install -m 0755 "$bin/fashionsort" "$bin/fashionsortd" "$prefix/bin/"
$sudo install -m 0644 Sources/FashionModel/Resources/default.safetensors "$prefix/share/fashionsort/default.safetensors"
$sudo install -m 0644 models/fashion-mnist.safetensors models/seed.safetensors "$prefix/share/fashionsort/"
$sudo install -d /etc/fashionsort
[ -e /etc/fashionsort/fashionsortd.yaml ] || $sudo install -m 0644 deploy/fashionsortd.yaml /etc/fashionsort/fashionsortd.yaml
echo "installed $prefix/bin/fashionsort and $prefix/bin/fashionsortd, model in $prefix/share/fashionsort"

if [ "$systemd" = yes ]; then
  id fashionsort >/dev/null 2>&1 || $sudo useradd --system --no-create-home --home-dir /var/lib/fashionsort --shell /usr/sbin/nologin fashionsort
  sed "s|/usr/local/bin/|$prefix/bin/|" systemd/fashionsortd.service | $sudo tee /etc/systemd/system/fashionsortd.service >/dev/null
  sed "s|/usr/local/bin/|$prefix/bin/|" systemd/fashionsortd@.service | $sudo tee /etc/systemd/system/fashionsortd@.service >/dev/null
  if have_systemd; then
    $sudo systemctl daemon-reload
    $sudo systemctl enable --now fashionsortd.service
    $sudo systemctl --no-pager status fashionsortd.service | head -5 || true
  else
    echo "systemd is not running here: units installed in /etc/systemd/system but not started"
  fi
fi
