# Code-signing hook for the Windows installers (Tauri `bundle > windows > signCommand`, called once per
# file with its path). The certificate never lives in the repository: the build machine's operator sets
# MADOGUCHI_SIGN_THUMBPRINT to a certificate in the machine store (or an HSM-backed one) and signtool does
# the rest. Without it the build stops, so an unsigned installer is never shipped by accident.
param([Parameter(Mandatory = $true)][string]$File)
$ErrorActionPreference = 'Stop'
if (-not $env:MADOGUCHI_SIGN_THUMBPRINT) {
  Write-Error 'MADOGUCHI_SIGN_THUMBPRINT is not set: refusing to produce an unsigned installer.'
  exit 1
}
$timestamp = if ($env:MADOGUCHI_SIGN_TIMESTAMP_URL) { $env:MADOGUCHI_SIGN_TIMESTAMP_URL } else { 'http://timestamp.digicert.com' }
& signtool.exe sign /sha1 $env:MADOGUCHI_SIGN_THUMBPRINT /fd sha256 /td sha256 /tr $timestamp $File
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
