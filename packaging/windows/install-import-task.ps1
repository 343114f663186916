# Registers the e-service importer as a Windows scheduled task that starts at boot and
# restarts on failure, so import never depends on an open window.
# Run in an elevated PowerShell; adjust the paths and the service account first.
# The database URL comes from MOTTAGNING_DB (set it for the service account); a server
# password belongs in the account's Windows Credential Manager (keyring) or pgpass.conf,
# never in this script.
# mottagning-cli.exe: the installed program's console twin (mottagning.exe is the GUI)
$Mottagning = "C:\Program Files\Mottagning\mottagning-cli.exe"
$Inbox = "D:\Mottagning\Inkorg"
$Account = "KOMMUN\svc-mottagning"

$action = New-ScheduledTaskAction -Execute $Mottagning -Argument "import `"$Inbox`" --watch --interval 10"
$trigger = New-ScheduledTaskTrigger -AtStartup
$settings = New-ScheduledTaskSettingsSet -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) `
    -ExecutionTimeLimit ([TimeSpan]::Zero) -MultipleInstances IgnoreNew
Register-ScheduledTask -TaskName "Mottagning import" -Action $action -Trigger $trigger `
    -Settings $settings -User $Account -RunLevel Limited `
    -Description "Importerar orosanmälningar från e-tjänstens inkorg (mottagning import --watch)."

# Monitoring: every 15 minutes; exit code 2 means an open alarm (see Task Scheduler history).
# It runs as its own account, mapped once to a user with only the role "monitor" (it sees how
# many alarms are open, nothing else, and needs no password):
#   mottagning users add overvakning --name "Övervakning" --role monitor --os-account svc-mottagning-monitor
# The account is read from the process token, never from %USERNAME%.
$MonitorAccount = "KOMMUN\svc-mottagning-monitor"
$checkAction = New-ScheduledTaskAction -Execute $Mottagning -Argument "alarms --check"
$checkTrigger = New-ScheduledTaskTrigger -Once -At (Get-Date) -RepetitionInterval (New-TimeSpan -Minutes 15)
Register-ScheduledTask -TaskName "Mottagning larmkontroll" -Action $checkAction -Trigger $checkTrigger `
    -User $MonitorAccount -RunLevel Limited -Description "mottagning alarms --check (slutstatus 2 = öppet larm)."
