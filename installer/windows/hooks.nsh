; Madoguchi NSIS installer hooks (Tauri 2 `bundle > windows > nsis > installerHooks`).
;
; Silent roll-out by a 情報システム管理者:  Madoguchi_x.y.z_x64-setup.exe /S
; If a provisioning file `madoguchi.toml` lies beside the installer, it becomes the terminal's configuration
; for every user of this machine (%ProgramData%\Madoguchi\madoguchi.toml): insurer address, CA, printer, idle
; lock. Enrolment itself (the one-time code, the key made on the terminal) still happens on the terminal.
; Not built or run on the project's Linux CI: see installer/README.md.

!macro NSIS_HOOK_POSTINSTALL
  IfFileExists "$EXEDIR\madoguchi.toml" 0 +3
    CreateDirectory "$COMMONAPPDATA\Madoguchi"
    CopyFiles /SILENT "$EXEDIR\madoguchi.toml" "$COMMONAPPDATA\Madoguchi\madoguchi.toml"
!macroend

!macro NSIS_HOOK_POSTUNINSTALL
  ; The sealed vault under %APPDATA%\madoguchi stays (its key is in the user's Credential Manager); the
  ; machine-wide provisioning file goes with the program.
  Delete "$COMMONAPPDATA\Madoguchi\madoguchi.toml"
  RMDir "$COMMONAPPDATA\Madoguchi"
!macroend
