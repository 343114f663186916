; Inno Setup script: the Windows installer of Mottagning (per machine, Program Files).
; Build on Windows with packaging\windows\build.ps1 (steps in packaging\README.md), which
; first makes dist\mottagning\ with PyInstaller and then runs:
;   iscc /DAppVersion=0.1.0 packaging\windows\mottagning.iss
; The installer lands in dist\installer\Mottagning-<version>-setup.exe.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define SourceDir "..\..\dist\mottagning"

[Setup]
; Keep AppId for all versions: it is how an update finds the installed program.
AppId={{6B7E2C1A-3F4D-4C8B-9E21-5A0D7C9B1E42}
AppName=Mottagning
AppVersion={#AppVersion}
AppPublisher=Socialförvaltningen
DefaultDirName={autopf}\Mottagning
DefaultGroupName=Mottagning
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist\installer
OutputBaseFilename=Mottagning-{#AppVersion}-setup
SetupIconFile=mottagning.ico
UninstallDisplayIcon={app}\mottagning.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; The program keeps no data in its own folder: each user's embedded database lives in
; %LOCALAPPDATA%\mottagning, a team's on the PostgreSQL server. Uninstalling removes neither.

[Languages]
; Swedish wizard texts where this Inno Setup has them (Languages\Swedish.isl; put the
; translation there if it is missing), otherwise Inno Setup's English.
#if FileExists(AddBackslash(CompilerPath) + "Languages\Swedish.isl")
Name: "swedish"; MessagesFile: "compiler:Languages\Swedish.isl"
#else
Name: "english"; MessagesFile: "compiler:Default.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "Skapa en genväg på skrivbordet"; GroupDescription: "Genvägar:"
Name: "addtopath"; Description: "Lägg kommandot mottagning-cli i sökvägen (PATH)"; GroupDescription: "Kommandoraden:"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "install-import-task.ps1"; DestDir: "{app}\tjanster"; Flags: ignoreversion

[Icons]
Name: "{group}\Mottagning"; Filename: "{app}\mottagning.exe"
Name: "{group}\Avinstallera Mottagning"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Mottagning"; Filename: "{app}\mottagning.exe"; Tasks: desktopicon

[Registry]
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; \
    ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
    Check: NeedsAddPath(ExpandConstant('{app}')); Tasks: addtopath

[Run]
; The installed program checks itself before the first start: version and its forms.
Filename: "{app}\mottagning-cli.exe"; Parameters: "forms check"; Flags: runhidden waituntilterminated
Filename: "{app}\mottagning.exe"; Description: "Starta Mottagning"; Flags: postinstall nowait skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Current: string;
begin
  if not RegQueryStringValue(HKEY_LOCAL_MACHINE,
      'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Current) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Current) + ';') = 0;
end;
