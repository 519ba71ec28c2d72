#!/usr/bin/env bash
# Installs FashionSort from this checkout: Debian packages, a release build, the
# binaries, the models, man pages and shell completions under PREFIX; the example
# configuration and the systemd units under SYSCONFDIR. Safe to run again; an
# existing configuration file is never overwritten. Usage:
#   deploy/install.sh [--prefix DIR] [--sysconfdir DIR] [--no-systemd] [--uninstall]
# PREFIX defaults to /usr/local. SYSCONFDIR defaults to /etc for the default prefix
# and to PREFIX/etc otherwise, so nothing is written outside PREFIX unless asked.
# The service user is created and the unit started only when SYSCONFDIR is /etc.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=/usr/local sysconfdir="" systemd=yes action=install
while (($#)); do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --sysconfdir) sysconfdir="$2"; shift 2 ;;
    --no-systemd) systemd=no; shift ;;
    --uninstall) action=uninstall; shift ;;
    *) echo "usage: $0 [--prefix DIR] [--sysconfdir DIR] [--no-systemd] [--uninstall]" >&2; exit 2 ;;
  esac
done
if [ -z "$sysconfdir" ]; then
  case "$prefix" in /usr/local | /usr) sysconfdir=/etc ;; *) sysconfdir="$prefix/etc" ;; esac
fi
system_wide() { [ "$sysconfdir" = /etc ]; }
have_systemd() { [ "$systemd" = yes ] && system_wide && [ -d /run/systemd/system ]; }
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
share="$prefix/share"
files=("$prefix/bin/fashionsort" "$prefix/bin/fashionsortd" "$share/man/man1/fashionsort.1" "$share/man/man1/fashionsortd.1"
       "$share/bash-completion/completions/fashionsort" "$share/bash-completion/completions/fashionsortd"
       "$share/zsh/site-functions/_fashionsort" "$share/zsh/site-functions/_fashionsortd"
       "$share/fish/vendor_completions.d/fashionsort.fish" "$share/fish/vendor_completions.d/fashionsortd.fish"
       "$sysconfdir/systemd/system/fashionsortd.service" "$sysconfdir/systemd/system/fashionsortd@.service")

if [ "$action" = uninstall ]; then
  if have_systemd; then $sudo systemctl disable --now fashionsortd.service 2>/dev/null || true; fi
  $sudo rm -f "${files[@]}"
  $sudo rm -rf "$share/fashionsort"
  if have_systemd; then $sudo systemctl daemon-reload; fi
  echo "uninstalled (kept $sysconfdir/fashionsort and the state directories)"
  exit 0
fi

. deploy/deps.sh
fashionsort_install_deps
# Built on the machine that runs it, so the numeric core may use every instruction it has.
FASHIONSORT_CPU="${FASHIONSORT_CPU:-native}" swift build -c release
bin=$(swift build -c release --show-bin-path)
swift package generate-manual >/dev/null
manuals=.build/plugins/GenerateManual/outputs
$sudo install -d "$prefix/bin" "$share/fashionsort" "$share/man/man1" "$share/bash-completion/completions" \
  "$share/zsh/site-functions" "$share/fish/vendor_completions.d"
$sudo install -m 0755 "$bin/fashionsort" "$bin/fashionsortd" "$prefix/bin/"
$sudo install -m 0644 Sources/FashionModel/Resources/default.safetensors "$share/fashionsort/default.safetensors"
$sudo install -m 0644 models/fashion-mnist.safetensors models/seed.safetensors models/photos.safetensors \
  models/replay.safetensors "$share/fashionsort/"
# The generated pages end with a bare EXIT STATUS: ours (deploy/man) replace it and add SIGNALS, FILES, EXAMPLES.
for tool in fashionsort fashionsortd; do
  sed '/^\.Sh "EXIT STATUS"/,$d' "$manuals/$tool/$tool.1" | cat - "deploy/man/$tool.mdoc" \
    | $sudo tee "$share/man/man1/$tool.1" >/dev/null
done
for tool in fashionsort fashionsortd; do
  "$bin/$tool" --generate-completion-script bash | $sudo tee "$share/bash-completion/completions/$tool" >/dev/null
  "$bin/$tool" --generate-completion-script zsh | $sudo tee "$share/zsh/site-functions/_$tool" >/dev/null
  "$bin/$tool" --generate-completion-script fish | $sudo tee "$share/fish/vendor_completions.d/$tool.fish" >/dev/null
done
echo "installed $prefix/bin/fashionsort and $prefix/bin/fashionsortd, models in $share/fashionsort, man pages, completions"

$sudo install -d "$sysconfdir/fashionsort"
[ -e "$sysconfdir/fashionsort/fashionsortd.yaml" ] ||
  $sudo install -m 0644 deploy/fashionsortd.yaml "$sysconfdir/fashionsort/fashionsortd.yaml"
$sudo install -m 0644 deploy/instance.yaml "$sysconfdir/fashionsort/instance.yaml.example"
echo "configuration: $sysconfdir/fashionsort/fashionsortd.yaml"

if [ "$systemd" = yes ]; then
  $sudo install -d "$sysconfdir/systemd/system"
  for unit in fashionsortd.service fashionsortd@.service; do
    sed -e "s|/usr/local/bin/|$prefix/bin/|" -e "s|/etc/fashionsort/|$sysconfdir/fashionsort/|" "systemd/$unit" |
      $sudo tee "$sysconfdir/systemd/system/$unit" >/dev/null
  done
  echo "units: $sysconfdir/systemd/system/fashionsortd.service, fashionsortd@.service"
  if system_wide; then
    id fashionsort >/dev/null 2>&1 || $sudo useradd --system --no-create-home --home-dir /var/lib/fashionsort \
      --shell /usr/sbin/nologin fashionsort
  fi
  if have_systemd; then
    $sudo systemctl daemon-reload
    $sudo systemctl enable --now fashionsortd.service
    $sudo systemctl --no-pager status fashionsortd.service | head -5 || true
  elif system_wide; then
    echo "systemd is not running here: units installed but not started"
  fi
fi
