; HRM Users: the Windows installer (NSIS 3). Built by `packaging/build.sh windows`,
; which passes VERSION, EXE and EXE_CLI (the cross-built hrm-users.exe and
; hrm-users-cli.exe), ICON, the licence files and OUTFILE.
;
; Per-machine: Program Files, a Start-menu shortcut for all users, an entry in
; Apps & features with its uninstaller. Silent for rollout tools: `/S` (and
; `/D=C:\path` to choose the folder). Installing over an older version replaces
; the program only: the register, settings and logs live in each user's profile
; (%APPDATA%\HRM Users\hrm-users\data) and are never touched, not even by the
; uninstaller.

Unicode true
; Without this the installer is 32-bit: it says it succeeded and installs nothing
; where a 64-bit program is looked for.
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!include "MUI2.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"

!define PRODUCT "HRM Users"
!define PUBLISHER "HRM Users"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\HRM Users"

Name "${PRODUCT} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${PRODUCT}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "MIT OR Apache-2.0"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\hrm-users.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
    SetShellVarContext all
    ${IfNot} ${RunningX64}
        MessageBox MB_ICONSTOP "HRM Users needs 64-bit Windows." /SD IDOK
        Abort
    ${EndIf}
    SetRegView 64
FunctionEnd

Function un.onInit
    SetShellVarContext all
    SetRegView 64
FunctionEnd

Section "HRM Users" main
    SectionIn RO
    SetOutPath "$INSTDIR"
    ; An upgrade overwrites the program's files; a running copy would keep the
    ; old one locked, so say so instead of leaving a half-replaced folder.
    ClearErrors
    File "${EXE}"
    File "${EXE_CLI}"
    IfErrors 0 +3
        MessageBox MB_ICONSTOP "hrm-users.exe could not be replaced. Close HRM Users and run the installer again." /SD IDOK
        Abort
    File "/oname=hrm-users.ico" "${ICON}"
    File "/oname=LICENSE-MIT.txt" "${LICENSE_MIT}"
    File "/oname=LICENSE-APACHE.txt" "${LICENSE_APACHE}"
    WriteUninstaller "$INSTDIR\uninstall.exe"

    CreateShortCut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\hrm-users.exe" "" "$INSTDIR\hrm-users.ico" 0

    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\hrm-users.exe"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
    WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
    ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
    Delete "$SMPROGRAMS\${PRODUCT}.lnk"
    Delete "$INSTDIR\hrm-users.exe"
    Delete "$INSTDIR\hrm-users-cli.exe"
    Delete "$INSTDIR\hrm-users.ico"
    Delete "$INSTDIR\LICENSE-MIT.txt"
    Delete "$INSTDIR\LICENSE-APACHE.txt"
    Delete "$INSTDIR\uninstall.exe"
    RMDir "$INSTDIR"
    DeleteRegKey HKLM "${UNINSTALL_KEY}"
    ; Each user's register, settings and logs stay: they are the users' data.
SectionEnd
