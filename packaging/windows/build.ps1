# Builds the Windows installer: dist\mottagning\ (PyInstaller, one folder) and then
# dist\installer\Mottagning-<version>-setup.exe (Inno Setup). Run from the repository root
# in PowerShell on 64-bit Windows 10/11 with Python 3.11 and Inno Setup 6 installed:
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root

if (-not (Test-Path .venv)) { py -3.11 -m venv .venv }
$Python = Join-Path $Root ".venv\Scripts\python.exe"
& $Python -m pip install -q --upgrade pip
& $Python -m pip install -q -e ".[package]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

& $Python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist `
    --workpath build\pyinstaller packaging\pyinstaller\mottagning.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

# Smoke test from outside the source tree on a throwaway encrypted database.
$Work = Join-Path $env:TEMP ("mottagning-smoke-" + [guid]::NewGuid())
New-Item -ItemType Directory $Work | Out-Null
Push-Location $Work
try {
    $env:MOTTAGNING_DB = "sqlite:///" + ($Work -replace "\\", "/") + "/smoke.db"
    $env:MOTTAGNING_DB_KEY = -join ((1..32) | ForEach-Object { "{0:x2}" -f (Get-Random -Max 256) })
    $Cli = Join-Path $Root "dist\mottagning\mottagning-cli.exe"
    & $Cli --version;       if ($LASTEXITCODE -ne 0) { throw "--version failed" }
    & $Cli db upgrade;      if ($LASTEXITCODE -ne 0) { throw "db upgrade failed" }
    & $Cli queue --json;    if ($LASTEXITCODE -ne 0) { throw "queue --json failed" }
    $env:QT_QPA_PLATFORM = "offscreen"
    & $Cli --smoke-test;    if ($LASTEXITCODE -ne 0) { throw "the window did not start" }
    Remove-Item Env:QT_QPA_PLATFORM
} finally {
    Pop-Location
    Remove-Item Env:MOTTAGNING_DB, Env:MOTTAGNING_DB_KEY -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $Work
}

$Version = & $Python -c "import mottagning; print(mottagning.__version__)"
$Iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"
& $Iscc "/DAppVersion=$Version" packaging\windows\mottagning.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "Installer: dist\installer\Mottagning-$Version-setup.exe"
