; Parley setup .exe (NSIS 3), built by scripts/package.sh:
;   makensis -DVERSION=0.1.0 -DOUTFILE=... parley.nsi   (in the staging dir)
; Per-machine by default (Program Files, HKLM); per-user with /CurrentUser
; (%LOCALAPPDATA%\Programs, HKCU) and no administrator rights. Silent: /S.
; Uninstall silently: "<install dir>\uninstall.exe" /S
Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user  ; MultiUser elevates itself for all-users installs

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef OUTFILE
  !define OUTFILE "Parley-${VERSION}-setup.exe"
!endif

!define APPNAME "Parley"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Parley"
!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "Software\Parley"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallMode"
!define MULTIUSER_INSTALLMODE_INSTDIR "Parley"
!define MULTIUSER_USE_PROGRAMFILES64
!include MultiUser.nsh
!include MUI2.nsh
!include x64.nsh

Name "${APPNAME}"
OutFile "${OUTFILE}"
BrandingText "Parley ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "Parley"
VIAddVersionKey "FileDescription" "Parley setup"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "CompanyName" "Parley"
VIAddVersionKey "LegalCopyright" "Parley developers, Apache License 2.0"

!define MUI_ICON "parley.ico"
!define MUI_UNICON "parley.ico"
!insertmacro MUI_PAGE_LICENSE "LICENSE.txt"
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "Parley needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  !insertmacro MULTIUSER_INIT
FunctionEnd

Function un.onInit
  SetRegView 64
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

!macro RegisterScheme SCHEME
  WriteRegStr SHCTX "Software\Classes\${SCHEME}" "" "URL:${SCHEME}"
  WriteRegStr SHCTX "Software\Classes\${SCHEME}" "URL Protocol" ""
  WriteRegStr SHCTX "Software\Classes\${SCHEME}\DefaultIcon" "" '"$INSTDIR\parley.exe",0'
  WriteRegStr SHCTX "Software\Classes\${SCHEME}\shell\open\command" "" '"$INSTDIR\parley.exe" "%1"'
  WriteRegStr SHCTX "Software\Parley\Capabilities\URLAssociations" "${SCHEME}" "Parley.URL"
!macroend
!macro UnregisterScheme SCHEME
  ; Only remove a scheme that still points at us: another phone may own it now.
  ReadRegStr $0 SHCTX "Software\Classes\${SCHEME}\shell\open\command" ""
  StrCmp $0 '"$INSTDIR\parley.exe" "%1"' 0 +2
    DeleteRegKey SHCTX "Software\Classes\${SCHEME}"
!macroend

Section "Parley" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "parley.exe"
  File "LICENSE.txt"
  File "THIRD_PARTY_NOTICES.txt"
  File "parley.json.example"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\Parley.lnk" "$INSTDIR\parley.exe" "" "$INSTDIR\parley.exe" 0

  WriteRegStr SHCTX "Software\Classes\Parley.URL" "" "Parley link"
  WriteRegStr SHCTX "Software\Classes\Parley.URL" "URL Protocol" ""
  WriteRegStr SHCTX "Software\Classes\Parley.URL\shell\open\command" "" '"$INSTDIR\parley.exe" "%1"'
  WriteRegStr SHCTX "Software\Parley\Capabilities" "ApplicationName" "Parley"
  WriteRegStr SHCTX "Software\Parley\Capabilities" "ApplicationDescription" "Softphone for Wazo Platform and SIP"
  WriteRegStr SHCTX "Software\RegisteredApplications" "Parley" "Software\Parley\Capabilities"
  !insertmacro RegisterScheme "tel"
  !insertmacro RegisterScheme "sip"
  !insertmacro RegisterScheme "sips"
  !insertmacro RegisterScheme "callto"

  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayName" "Parley"
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTKEY}" "Publisher" "Parley"
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayIcon" '"$INSTDIR\parley.exe",0'
  WriteRegStr SHCTX "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  !insertmacro UnregisterScheme "tel"
  !insertmacro UnregisterScheme "sip"
  !insertmacro UnregisterScheme "sips"
  !insertmacro UnregisterScheme "callto"
  DeleteRegKey SHCTX "Software\Classes\Parley.URL"
  DeleteRegValue SHCTX "Software\RegisteredApplications" "Parley"
  DeleteRegKey SHCTX "Software\Parley"
  DeleteRegKey SHCTX "${UNINSTKEY}"
  Delete "$SMPROGRAMS\Parley.lnk"
  Delete "$INSTDIR\parley.exe"
  Delete "$INSTDIR\LICENSE.txt"
  Delete "$INSTDIR\THIRD_PARTY_NOTICES.txt"
  Delete "$INSTDIR\parley.json.example"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
