#!/bin/sh
# Start CUPS (if it is not running) and create the CUPS-PDF virtual printer queue (if it is absent).
# Idempotent: safe to run any number of times. Needs root (cupsd, lpadmin) and the Debian packages
# cups, cups-client, cups-bsd, printer-driver-cups-pdf (installed by scripts/install-deps.sh).
# Containers have no systemd: cupsd is started directly (or through `service cups start`).
set -eu

QUEUE="${1:-CUPS-PDF}"
PPD=/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup-cups-pdf: $1 not found (install $2)" >&2; exit 1; }; }
need lpstat cups-client
need lpadmin cups-client
[ -x /usr/sbin/cupsd ] || command -v cupsd >/dev/null 2>&1 || { echo "setup-cups-pdf: cupsd not found (install cups)" >&2; exit 1; }
[ -f "$PPD" ] || { echo "setup-cups-pdf: $PPD not found (install printer-driver-cups-pdf)" >&2; exit 1; }

if ! lpstat -r 2>/dev/null | grep -q "is running"; then
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl start cups
    elif command -v service >/dev/null 2>&1 && service cups start >/dev/null 2>&1; then
        :
    else
        # `cupsd` daemonises itself by default.
        mkdir -p /run/cups
        "$(command -v cupsd || echo /usr/sbin/cupsd)"
    fi
    i=0
    until lpstat -r 2>/dev/null | grep -q "is running"; do
        i=$((i + 1))
        [ "$i" -le 50 ] || { echo "setup-cups-pdf: cupsd did not start" >&2; exit 1; }
        sleep 0.2
    done
fi

if ! lpstat -p "$QUEUE" >/dev/null 2>&1; then
    # CUPS 2.4 warns that printer drivers are deprecated; the queue works.
    lpadmin -p "$QUEUE" -v cups-pdf:/ -E -P "$PPD" 2>/dev/null
fi
# Make sure the queue accepts and is enabled (a previous run may have left it stopped).
cupsenable "$QUEUE" 2>/dev/null || true
cupsaccept "$QUEUE" 2>/dev/null || true

OUT=$(sed -n 's/^Out[[:space:]]\{1,\}//p' /etc/cups/cups-pdf.conf 2>/dev/null | tail -n 1)
echo "setup-cups-pdf: queue $QUEUE ready; cups-pdf writes to ${OUT:-\${HOME\}/PDF} (\${HOME} = the submitting user's home)"
