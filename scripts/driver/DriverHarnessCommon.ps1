<#
.SYNOPSIS
    Shared helpers for the WskConnect driver test harness (dot-sourced, not run).

.DESCRIPTION
    Dot-sourced by New-TestCertificate.ps1, Sign-Driver.ps1, Enable-TestSigning.ps1
    and Invoke-DriverTests.ps1. Defines functions only; running it does nothing.

    Windows PowerShell 5.1 compatible. Everything here assumes the caller has set
    Set-StrictMode -Version Latest and $ErrorActionPreference = 'Stop'.

.NOTES
    Functions:
      Test-IsAdministrator      True when the process is elevated.
      Assert-Administrator      Throws a clear ACCESS DENIED message when it is not.
      Get-RepoRoot              The repository root (two levels above this folder).
      Find-KitTool              Newest signtool.exe / Inf2Cat.exe under Windows Kits\10\bin.
      Invoke-Native             Runs a native program, captures stdout+stderr as text
                                (optionally echoing and appending to a log), returns
                                ExitCode and Output. Safe under $ErrorActionPreference='Stop'.
      Write-Utf8File            Writes text as UTF-8 without a BOM.
      Get-TestSigningState      Test signing in this boot / in the BCD, Secure Boot, HVCI.
      Get-DriverServiceState    'NotInstalled', 'Running', 'Stopped', 'Stop Pending', ...
#>

Set-StrictMode -Version Latest

function Test-IsAdministrator {
    [CmdletBinding()]
    param()
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    return $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Assert-Administrator {
    [CmdletBinding()]
    param(
        # What needs elevation, for the message.
        [Parameter(Mandatory = $true)][string]$Action
    )
    if (-not (Test-IsAdministrator)) {
        throw ("ACCESS DENIED: $Action needs an elevated PowerShell. " +
            "Start Windows PowerShell with 'Run as administrator' and run the script again.")
    }
}

function Get-RepoRoot {
    [CmdletBinding()]
    param()
    return (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '..\..')).Path
}

function Get-WindowsKitsRoot {
    [CmdletBinding()]
    param()
    $roots = New-Object System.Collections.Generic.List[string]
    foreach ($key in @('HKLM:\SOFTWARE\Microsoft\Windows Kits\Installed Roots',
                       'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows Kits\Installed Roots')) {
        try {
            $value = (Get-ItemProperty -LiteralPath $key -Name 'KitsRoot10' -ErrorAction Stop).KitsRoot10
            if ($value -and (Test-Path -LiteralPath $value) -and -not $roots.Contains($value)) { $roots.Add($value) }
        } catch {
            # Key or value absent: try the next one.
        }
    }
    $programFilesX86 = ${env:ProgramFiles(x86)}
    if ($programFilesX86) {
        $default = Join-Path $programFilesX86 'Windows Kits\10\'
        if ((Test-Path -LiteralPath $default) -and -not $roots.Contains($default)) { $roots.Add($default) }
    }
    return ,$roots.ToArray()
}

function Find-KitTool {
    <#
    .SYNOPSIS
        Path of the newest <Name> under Windows Kits\10\bin\<version>\<Arch>, or $null.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Name,
        [ValidateSet('x64', 'x86', 'arm64')][string]$Arch = 'x64'
    )
    foreach ($root in (Get-WindowsKitsRoot)) {
        $bin = Join-Path $root 'bin'
        if (-not (Test-Path -LiteralPath $bin)) { continue }
        $versions = @(Get-ChildItem -LiteralPath $bin -Directory |
            Where-Object { $_.Name -match '^\d+\.\d+\.\d+\.\d+$' } |
            Sort-Object -Property @{ Expression = { [version]$_.Name } } -Descending)
        foreach ($dir in $versions) {
            $candidate = Join-Path (Join-Path $dir.FullName $Arch) $Name
            if (Test-Path -LiteralPath $candidate) { return $candidate }
        }
        # Kits older than 10.0.15063 have no version folder.
        $flat = Join-Path (Join-Path $bin $Arch) $Name
        if (Test-Path -LiteralPath $flat) { return $flat }
    }
    return $null
}

function Invoke-Native {
    <#
    .SYNOPSIS
        Runs a native program and returns [pscustomobject]@{ ExitCode; Output }.
    .DESCRIPTION
        stderr is merged into the output. In Windows PowerShell 5.1, redirecting a
        native program's stderr while $ErrorActionPreference is 'Stop' turns its
        first stderr line into a terminating error, so the preference is relaxed to
        'Continue' inside this function only.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        # Append the command line and its output to this file.
        [string]$LogPath = '',
        # Echo every line to the console as it arrives.
        [switch]$Echo
    )
    $null = Get-Command -Name $FilePath -CommandType Application -ErrorAction Stop
    $lines = New-Object System.Collections.Generic.List[string]
    $writer = $null
    if ($LogPath) {
        $writer = New-Object System.IO.StreamWriter($LogPath, $true, (New-Object System.Text.UTF8Encoding($false)))
        $writer.AutoFlush = $true
        $writer.WriteLine("> $FilePath $($ArgumentList -join ' ')")
    }
    $ErrorActionPreference = 'Continue'
    $global:LASTEXITCODE = 0
    $code = -1
    try {
        & $FilePath @ArgumentList 2>&1 | ForEach-Object {
            $line = [string]$_
            $lines.Add($line)
            if ($Echo) { Write-Host $line }
            if ($writer) { $writer.WriteLine($line) }
        }
        $code = $global:LASTEXITCODE
    } finally {
        if ($writer) {
            $writer.WriteLine("[exit code $code]")
            $writer.WriteLine('')
            $writer.Dispose()
        }
    }
    return [pscustomobject]@{ ExitCode = [int]$code; Output = ($lines.ToArray() -join [Environment]::NewLine) }
}

function Write-Utf8File {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [AllowEmptyString()][Parameter(Mandatory = $true)][string]$Text,
        [switch]$Append
    )
    $encoding = New-Object System.Text.UTF8Encoding($false)
    if ($Append) {
        [System.IO.File]::AppendAllText($Path, $Text, $encoding)
    } else {
        [System.IO.File]::WriteAllText($Path, $Text, $encoding)
    }
}

function Get-TestSigningState {
    <#
    .SYNOPSIS
        What this machine says about test signing, Secure Boot and HVCI.
    .DESCRIPTION
        ActiveInThisBoot comes from HKLM\SYSTEM\CurrentControlSet\Control\SystemStartOptions
        (the options the running system was booted with; not localized).
        ConfiguredInBcd is the BCD element that 'bcdedit /set testsigning' writes
        (BcdLibraryBoolean_AllowPrereleaseSignatures, 0x16000049) of the {current} boot
        entry, read through WMI's BcdStore class: what the NEXT boot uses, as a boolean,
        whatever the display language ('bcdedit /enum' prints localized values, so its
        text is kept only for the log). $null when the store could not be opened (not
        elevated). SecureBoot is $true/$false,
        or $null on a BIOS (non-UEFI) machine or when it cannot be queried.
    #>
    [CmdletBinding()]
    param()

    $startOptions = ''
    try {
        $startOptions = [string](Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control' -Name 'SystemStartOptions' -ErrorAction Stop).SystemStartOptions
    } catch {
        $startOptions = ''
    }
    $active = $startOptions -match '\bTESTSIGNING\b'

    $configured = $null
    try {
        # {current}'s well-known GUID, and the element bcdedit calls "testsigning".
        $store = ([wmiclass]'\\.\root\WMI:BcdStore').OpenStore('')
        if ($store.ReturnValue) {
            $current = $store.Store.OpenObject('{fa926493-6f1c-4193-a414-58f0b2456d1e}')
            if ($current.ReturnValue) {
                $element = $current.Object.GetElement(0x16000049)
                $configured = [bool]($element.ReturnValue -and $element.Element.Boolean)
            }
        }
    } catch {
        $configured = $null
    }
    $bcdText = ''
    try {
        $bcdText = (Invoke-Native -FilePath 'bcdedit.exe' -ArgumentList @('/enum', '{current}')).Output
    } catch {
        $bcdText = "bcdedit could not run: $($_.Exception.Message)"
    }

    $secureBoot = $null
    $secureBootNote = ''
    try {
        $secureBoot = [bool](Confirm-SecureBootUEFI -ErrorAction Stop)
    } catch {
        $secureBootNote = $_.Exception.Message
    }

    $hvci = $null
    try {
        $dg = Get-CimInstance -Namespace 'root\Microsoft\Windows\DeviceGuard' -ClassName 'Win32_DeviceGuard' -ErrorAction Stop
        # SecurityServicesRunning: 1 = Credential Guard, 2 = HVCI (memory integrity).
        $hvci = @($dg.SecurityServicesRunning) -contains 2
    } catch {
        $hvci = $null
    }

    $blocklist = $null
    try {
        $blocklist = (Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\CI\Config' -Name 'VulnerableDriverBlocklistEnable' -ErrorAction Stop).VulnerableDriverBlocklistEnable
    } catch {
        $blocklist = $null
    }

    return [pscustomobject]@{
        ActiveInThisBoot   = [bool]$active
        ConfiguredInBcd    = $configured
        SystemStartOptions = $startOptions.Trim()
        BcdOutput          = $bcdText
        SecureBoot         = $secureBoot
        SecureBootNote     = $secureBootNote
        HvciRunning        = $hvci
        VulnerableDriverBlocklist = $blocklist
    }
}

function Format-Tristate {
    [CmdletBinding()]
    param([AllowNull()]$Value, [string]$Unknown = 'unknown')
    if ($null -eq $Value) { return $Unknown }
    if ($Value) { return 'yes' }
    return 'no'
}

function Get-DriverServiceState {
    <#
    .SYNOPSIS
        The state of a kernel-driver service from Win32_SystemDriver (not localized):
        'NotInstalled', 'Running', 'Stopped', 'Start Pending', 'Stop Pending', ... or 'Unknown'.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9_.-]{1,256}$')][string]$Name)
    try {
        $driver = Get-CimInstance -ClassName 'Win32_SystemDriver' -Filter "Name='$Name'" -ErrorAction Stop
    } catch {
        return 'Unknown'
    }
    if ($null -eq $driver) { return 'NotInstalled' }
    return [string](@($driver)[0].State)
}
