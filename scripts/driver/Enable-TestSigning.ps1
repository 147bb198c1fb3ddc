<#
.SYNOPSIS
    Checks that Windows loads test-signed drivers, and turns test signing on if
    it is off (a reboot is then required; this script never reboots).

.DESCRIPTION
    Reads two things:
      * the running boot: HKLM\SYSTEM\CurrentControlSet\Control\SystemStartOptions
        contains TESTSIGNING when this boot allows test-signed drivers;
      * the boot configuration for the next boot: the {current} entry's
        testsigning element (0x16000049) read from the BCD store through WMI,
        not from bcdedit's text, which is localized.
    and whether Secure Boot is on (Confirm-SecureBootUEFI; unavailable on BIOS
    machines, which is reported as 'unknown').

    If test signing is not on in the BCD (and -CheckOnly is not given), runs
    'bcdedit /set testsigning on' and prints REBOOT REQUIRED. With Secure Boot
    on, Windows refuses that change ("The value is protected by Secure Boot
    policy") and would ignore the option anyway: turn Secure Boot off in the
    VM's firmware settings first (Hyper-V: VM Settings > Security > Enable
    Secure Boot; VMware: VM Options > Boot Options; a physical machine: its
    UEFI setup).

    If BitLocker protects the system drive, a BCD change can make the next boot
    ask for the recovery key; suspend it for one reboot first:
        Suspend-BitLocker -MountPoint $env:SystemDrive -RebootCount 1

    Needs an elevated PowerShell (bcdedit and Confirm-SecureBootUEFI do).
    Windows PowerShell 5.1 compatible.

    Exit codes:
        0     test signing is on in this boot: test-signed drivers load.
        3010  REBOOT REQUIRED: test signing is set in the BCD (now, or earlier)
              but not active in this boot.
        2     Secure Boot is on: test signing cannot be used until it is off.
        3     test signing is off and -CheckOnly was given (nothing changed).
        5     not elevated.
        1     anything else (bcdedit failed, ...).

.PARAMETER CheckOnly
    Only report; never run 'bcdedit /set'. Use it on CI runners, which cannot
    reboot in the middle of a job.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File .\scripts\driver\Enable-TestSigning.ps1
    if ($LASTEXITCODE -eq 3010) { Restart-Computer }

.EXAMPLE
    .\scripts\driver\Enable-TestSigning.ps1 -CheckOnly
#>
[CmdletBinding()]
param(
    [switch]$CheckOnly
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'DriverHarnessCommon.ps1')

$SecureBootHelp = ('Secure Boot is ON. While it is on, Windows refuses "bcdedit /set testsigning on" ' +
    '("The value is protected by Secure Boot policy") and does not load test-signed drivers. ' +
    'Turn Secure Boot off in the firmware settings of the VM (Hyper-V: VM Settings > Security > ' +
    'uncheck Enable Secure Boot; VMware: VM Options > Boot Options > Secure Boot) or of the machine, ' +
    'boot Windows, and run this script again.')

try {
    if (-not (Test-IsAdministrator)) {
        Write-Host ('ACCESS DENIED: checking and changing the boot configuration (bcdedit) needs an elevated ' +
            "PowerShell. Start Windows PowerShell with 'Run as administrator'.") -ForegroundColor Red
        exit 5
    }

    $state = Get-TestSigningState
    $secureBootText = Format-Tristate $state.SecureBoot
    if ($null -eq $state.SecureBoot -and $state.SecureBootNote) { $secureBootText += " ($($state.SecureBootNote))" }
    Write-Host "Test signing in this boot : $(Format-Tristate $state.ActiveInThisBoot)  (SystemStartOptions: '$($state.SystemStartOptions)')"
    Write-Host "Test signing in the BCD   : $(Format-Tristate $state.ConfiguredInBcd 'unknown (bcdedit /enum {current} failed)')"
    Write-Host "Secure Boot               : $secureBootText"
    Write-Host "HVCI (memory integrity)   : $(Format-Tristate $state.HvciRunning)"

    if ($state.ActiveInThisBoot) {
        Write-Host 'OK: test signing is on in this boot; test-signed drivers can load.' -ForegroundColor Green
        exit 0
    }

    if ($state.SecureBoot -eq $true) {
        Write-Host $SecureBootHelp -ForegroundColor Red
        exit 2
    }

    if ($state.ConfiguredInBcd -eq $true) {
        Write-Host ''
        Write-Host '*** REBOOT REQUIRED ***' -ForegroundColor Yellow
        Write-Host 'Test signing is set in the boot configuration but not active in this boot. Reboot, then run again.' -ForegroundColor Yellow
        exit 3010
    }

    if ($CheckOnly) {
        Write-Host ('Test signing is OFF (-CheckOnly: nothing changed). Run this script without -CheckOnly ' +
            'on a machine you can reboot.') -ForegroundColor Red
        exit 3
    }

    try {
        $bitLocker = Get-BitLockerVolume -MountPoint $env:SystemDrive -ErrorAction Stop
        if ([string]$bitLocker.ProtectionStatus -eq 'On') {
            Write-Warning ("BitLocker protects $($env:SystemDrive): after this BCD change the next boot may ask for the " +
                "recovery key. To avoid that, run: Suspend-BitLocker -MountPoint $($env:SystemDrive) -RebootCount 1")
        }
    } catch {
        # No BitLocker module or feature: nothing to warn about.
    }

    Write-Host 'Running: bcdedit /set testsigning on'
    $set = Invoke-Native -FilePath 'bcdedit.exe' -ArgumentList @('/set', 'testsigning', 'on') -Echo
    if ($set.ExitCode -ne 0) {
        if ($set.Output -match 'Secure Boot') {
            Write-Host $SecureBootHelp -ForegroundColor Red
            exit 2
        }
        Write-Host "bcdedit /set testsigning on failed (exit code $($set.ExitCode))." -ForegroundColor Red
        exit 1
    }

    Write-Host ''
    Write-Host '*** REBOOT REQUIRED ***' -ForegroundColor Yellow
    Write-Host ('Test signing is now on in the boot configuration. It takes effect after a reboot ' +
        '(Restart-Computer); the desktop then shows "Test Mode". Run the driver tests again afterwards.') -ForegroundColor Yellow
    exit 3010
} catch {
    Write-Host "Enable-TestSigning failed: $($_.Exception.Message)" -ForegroundColor Red
    exit 1
}
