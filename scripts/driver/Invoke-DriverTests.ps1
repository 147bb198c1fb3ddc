<#
.SYNOPSIS
    Test-signs the WskConnect kernel driver, runs the mocha driver suite against
    it on real Windows, collects logs, cleans up, and classifies the outcome.

.DESCRIPTION
    The entry point of the driver harness, for a driver developer's own
    test-signed Windows VM and for the CI runner (.github/workflows/driver.yml).
    Steps:
      1. Checks that PowerShell is elevated.
      2. Checks test signing (Enable-TestSigning.ps1; with -NoTestSigningChange
         it only checks). If it has to be turned on, stops with REBOOT REQUIRED.
      3. Copies -SysPath into <OutputDir>\signed\, creates/reuses the test
         certificate (New-TestCertificate.ps1) and signs the copy
         (Sign-Driver.ps1). -SkipSigning uses -SysPath as it is.
      4. Compiles lib/ to dist/ (TypeScript) and checks that the Node-API addon
         loads (npm ci builds it with node-gyp/MSVC).
      5. Sets WSKCONNECT_SYS to the signed driver and runs only the driver suite:
           node node_modules/mocha/bin/mocha.js --timeout 60000 test/windows/wskDriver.test.js
         The suite itself installs the service 'WskConnectTest', starts it, runs
         loopback connects, stops and deletes it.
      6. Always: saves 'sc.exe query' / 'sc.exe qc', 'driverquery /v' for the
         service, Service Control Manager events (System log) and CodeIntegrity
         events (Microsoft-Windows-CodeIntegrity/Operational) of the last hour,
         then stops and deletes the service if it is still there.
      7. Classifies the outcome into one line (console and classification.txt):
           PASS, DRIVER_BLOCKED (1275), BAD_SIGNATURE (577), STOP_PENDING
           (DriverUnload did not return), ACCESS_DENIED (5), TEST_FAILURES, ...

    Logs go to -OutputDir (default <repo>\.cache\driver-tests\<timestamp>):
      classification.txt, environment.txt, signing.txt, build.txt, mocha.txt,
      service.txt, driverquery.txt, cleanup.txt, scm-events.txt,
      codeintegrity-events.txt, harness-transcript.txt, signed\wskconnect.sys

    Prerequisites: Windows 10/11 or Server 2016+ x64, elevated Windows
    PowerShell 5.1, Node.js 20+, 'npm ci' done in the repository, the Windows
    SDK/WDK (signtool), test signing on and Secure Boot off.

    Exit codes:
        0        the driver suite passed
        1..199   mocha's exit code (the number of failed tests); 1 also when
                 mocha passed but no test ran, or the service was left stuck in
                 STOP_PENDING
        201      not elevated
        202      test signing is off (-NoTestSigningChange) or Secure Boot is on
        203      the driver .sys was not found (not built)
        204      signing failed
        205      setup: node/npm ci/TypeScript/addon missing or broken
        206      the service is stuck in STOP_PENDING from an earlier run (reboot)
        210      harness error
        3010     REBOOT REQUIRED (test signing was just turned on)

    Windows PowerShell 5.1 compatible.

.PARAMETER SysPath
    The unsigned driver. Default: the WDK build output,
    <repo>\native\driver\x64\Release\wskconnect.sys
    (msbuild native\driver\wskconnect.vcxproj /p:Configuration=Release /p:Platform=x64).

.PARAMETER ServiceName
    The service the driver suite installs. test/windows/wskDriver.test.js uses
    'WskConnectTest'; this name is used for diagnostics and cleanup, so keep
    them the same.

.PARAMETER SkipSigning
    Do not sign: -SysPath is already signed (for example by the WDK build).

.PARAMETER OutputDir
    Where the logs go. Default: <repo>\.cache\driver-tests\<yyyyMMdd-HHmmss>.

.PARAMETER NoTestSigningChange
    Only check test signing, never run 'bcdedit /set' (CI runners cannot reboot).

.PARAMETER TimestampUrl
    RFC 3161 timestamp server for signing. Empty (default): no timestamp.

.PARAMETER MochaTimeoutMs
    mocha --timeout (default 60000).

.PARAMETER StopTimeoutSeconds
    How long cleanup waits for the service to leave STOP_PENDING (default 30).

.PARAMETER SkipTypeScriptBuild
    Do not recompile lib/ to dist/ (dist/ must exist).

.PARAMETER DriverVerifier
    On a VM: run the suite under Driver Verifier for wskconnect.sys, with the
    standard rule classes and IRP logging ('verifier /ruleclasses 1 2 4 5 6 8 9
    11 12 18 /driver wskconnect.sys'; /ruleclasses needs Windows 10 build 17627
    or later). The first run configures them and stops with REBOOT REQUIRED
    (3010): Verifier takes effect at the next boot. After the reboot the same
    command checks with 'verifier /query' that wskconnect.sys really is being
    verified, then runs the suite; a violation bug-checks the VM (read the dump
    with WinDbg: !analyze -v). 'verifier /reset' and a reboot turn it off. Not for
    the hosted CI runner, which cannot reboot.

.EXAMPLE
    # On a test-signed VM, from an elevated Windows PowerShell in the repository:
    powershell -ExecutionPolicy Bypass -File .\scripts\driver\Invoke-DriverTests.ps1

.EXAMPLE
    .\scripts\driver\Invoke-DriverTests.ps1 -SysPath C:\build\wskconnect.sys -OutputDir C:\logs\wsk
#>
[CmdletBinding()]
param(
    [string]$SysPath = '',
    [ValidatePattern('^[A-Za-z0-9_.-]{1,256}$')][string]$ServiceName = 'WskConnectTest',
    [switch]$SkipSigning,
    [string]$OutputDir = '',
    [switch]$NoTestSigningChange,
    [string]$TimestampUrl = '',
    [ValidateRange(1000, 3600000)][int]$MochaTimeoutMs = 60000,
    [ValidateRange(1, 600)][int]$StopTimeoutSeconds = 30,
    [switch]$SkipTypeScriptBuild,
    [switch]$DriverVerifier
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'DriverHarnessCommon.ps1')

$RepoRoot = Get-RepoRoot
if (-not $SysPath) { $SysPath = Join-Path $RepoRoot 'native\driver\x64\Release\wskconnect.sys' }
if (-not $OutputDir) {
    $OutputDir = Join-Path (Join-Path $RepoRoot '.cache\driver-tests') (Get-Date -Format 'yyyyMMdd-HHmmss')
}
$null = New-Item -ItemType Directory -Path $OutputDir -Force
$OutputDir = (Resolve-Path -LiteralPath $OutputDir).Path

$StartedAt = Get-Date
$EventsSince = $StartedAt.AddHours(-1)
$script:Outcome = $null
$script:Hints = New-Object System.Collections.Generic.List[string]
$script:Elevated = Test-IsAdministrator
$script:MochaRan = $false
$script:MochaExit = 0
$script:MochaText = ''
$script:DriverPath = ''
$script:StuckStopPending = $false
$script:TestSigning = $null

function Write-Step {
    param([Parameter(Mandatory = $true)][string]$Text)
    Write-Host ''
    Write-Host "==> $Text" -ForegroundColor Cyan
}

function Set-Outcome {
    param(
        [Parameter(Mandatory = $true)][string]$Key,
        [Parameter(Mandatory = $true)][string]$Text,
        [Parameter(Mandatory = $true)][int]$ExitCode
    )
    $script:Outcome = [pscustomobject]@{ Key = $Key; Text = $Text; ExitCode = $ExitCode }
}

function Save-Log {
    param([Parameter(Mandatory = $true)][string]$Name, [AllowEmptyString()][Parameter(Mandatory = $true)][string]$Text)
    Write-Utf8File -Path (Join-Path $OutputDir $Name) -Text $Text
}

function Get-MochaCount {
    param([Parameter(Mandatory = $true)][string]$Word)
    $m = [regex]::Match($script:MochaText, "(\d+) $Word")
    if ($m.Success) { return [int]$m.Groups[1].Value }
    return 0
}

# ---------------------------------------------------------------------------
# Environment snapshot
# ---------------------------------------------------------------------------
function Save-Environment {
    $lines = New-Object System.Collections.Generic.List[string]
    $lines.Add("started           : $($StartedAt.ToString('yyyy-MM-dd HH:mm:ss zzz'))")
    try {
        $os = Get-CimInstance -ClassName 'Win32_OperatingSystem' -ErrorAction Stop
        $lines.Add("os                : $($os.Caption) $($os.Version) (build $($os.BuildNumber))")
    } catch {
        $lines.Add("os                : unknown ($($_.Exception.Message))")
    }
    $lines.Add("powershell        : $($PSVersionTable.PSVersion)")
    $lines.Add("elevated          : $(Format-Tristate $script:Elevated)")
    $lines.Add("repository        : $RepoRoot")
    $lines.Add("driver (unsigned) : $SysPath")
    $lines.Add("service name      : $ServiceName")
    $lines.Add("output            : $OutputDir")
    $ts = Get-TestSigningState
    $script:TestSigning = $ts
    $lines.Add("testsigning (boot): $(Format-Tristate $ts.ActiveInThisBoot)  SystemStartOptions='$($ts.SystemStartOptions)'")
    $lines.Add("testsigning (BCD) : $(Format-Tristate $ts.ConfiguredInBcd)")
    $lines.Add("secure boot       : $(Format-Tristate $ts.SecureBoot) $($ts.SecureBootNote)")
    $lines.Add("hvci running      : $(Format-Tristate $ts.HvciRunning)")
    $lines.Add("vulnerable-driver blocklist (CI\Config VulnerableDriverBlocklistEnable): $(if ($null -eq $ts.VulnerableDriverBlocklist) { 'not set' } else { $ts.VulnerableDriverBlocklist })")
    $lines.Add('')
    $lines.Add('bcdedit /enum {current}:')
    $lines.Add($ts.BcdOutput)
    Save-Log -Name 'environment.txt' -Text ($lines.ToArray() -join "`r`n")
}

# ---------------------------------------------------------------------------
# The run: returns early with an outcome when a precondition fails
# ---------------------------------------------------------------------------
function Invoke-Run {
    Write-Step "WskConnect driver tests; logs in $OutputDir"
    Save-Environment

    if (-not $script:Elevated) {
        Set-Outcome 'ACCESS_DENIED' ('not elevated: installing and starting a kernel driver (SCM) and opening ' +
            '\\.\WskConnect need Administrators. Run Windows PowerShell as administrator.') 201
        return
    }

    Write-Step 'Test signing'
    $enable = Join-Path $PSScriptRoot 'Enable-TestSigning.ps1'
    if ($NoTestSigningChange) { & $enable -CheckOnly } else { & $enable }
    $code = $LASTEXITCODE
    switch ($code) {
        0 { }
        3010 {
            Set-Outcome 'REBOOT_REQUIRED' 'test signing is set in the boot configuration but not active yet: reboot, then run this script again.' 3010
            return
        }
        2 {
            Set-Outcome 'SECURE_BOOT_ON' 'Secure Boot is on, so test-signed drivers cannot load: turn it off in the VM firmware settings, then run Enable-TestSigning.ps1 and reboot.' 202
            return
        }
        3 {
            Set-Outcome 'TEST_SIGNING_OFF' 'test signing is off in this boot (checked only, nothing changed); a test-signed driver would fail with 577.' 202
            return
        }
        5 {
            Set-Outcome 'ACCESS_DENIED' 'not elevated (bcdedit was refused).' 201
            return
        }
        default {
            Set-Outcome 'HARNESS_ERROR' "Enable-TestSigning.ps1 failed (exit code $code); see the output above." 210
            return
        }
    }

    if ($DriverVerifier) {
        Write-Step 'Driver Verifier'
        # What the next boot verifies, from the registry (verifier's own text is localized).
        $mm = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Memory Management' -ErrorAction SilentlyContinue
        $verified = $mm -and ($mm.PSObject.Properties.Name -contains 'VerifyDrivers') -and (@([string]$mm.VerifyDrivers -split '\s+') -contains 'wskconnect.sys')
        if (-not $verified) {
            # The standard rule classes (1 2 4 5 6 8 9 12 18) and IRP logging (11), which /standard leaves out.
            $set = Invoke-Native -FilePath 'verifier.exe' -ArgumentList @('/ruleclasses', '1', '2', '4', '5', '6', '8', '9', '11', '12', '18', '/driver', 'wskconnect.sys') -Echo
            if ($set.ExitCode -ne 0 -and $set.ExitCode -ne 2) {
                Set-Outcome 'HARNESS_ERROR' "verifier /ruleclasses ... /driver wskconnect.sys failed (exit code $($set.ExitCode))." 210
                return
            }
            Set-Outcome 'REBOOT_REQUIRED' 'Driver Verifier is configured for wskconnect.sys and takes effect at the next boot: reboot, then run this script again with -DriverVerifier.' 3010
            return
        }
        # Configured is not verified: 'verifier /query' lists the drivers verified now (by file name, not localized).
        $query = Invoke-Native -FilePath 'verifier.exe' -ArgumentList @('/query')
        if (($query.Output -join "`n") -notmatch '(?i)wskconnect\.sys') {
            Set-Outcome 'REBOOT_REQUIRED' 'Driver Verifier is configured for wskconnect.sys but not active yet (verifier /query does not list it): reboot, then run this script again with -DriverVerifier.' 3010
            return
        }
        Write-Host 'Driver Verifier: wskconnect.sys is being verified (verifier /query lists it).'
    }

    Write-Step 'Driver'
    if (-not (Test-Path -LiteralPath $SysPath -PathType Leaf)) {
        Set-Outcome 'DRIVER_NOT_BUILT' ("no driver at $SysPath. Build it with the WDK (msbuild native\driver\wskconnect.vcxproj " +
            '/p:Configuration=Release /p:Platform=x64) or pass -SysPath.') 203
        return
    }
    $unsigned = (Resolve-Path -LiteralPath $SysPath).Path
    Write-Host "driver: $unsigned"

    $leftover = Get-DriverServiceState -Name $ServiceName
    Write-Host "service $ServiceName before the run: $leftover"
    if ($leftover -eq 'Stop Pending') {
        $script:StuckStopPending = $true
        Set-Outcome 'STOP_PENDING' ("service $ServiceName is still STOP_PENDING from an earlier run: its DriverUnload never " +
            'returned and only a reboot clears it. Reboot, then run again.') 206
        return
    }

    Write-Step 'Node.js'
    $node = Get-Command -Name 'node.exe' -CommandType Application -ErrorAction SilentlyContinue
    if (-not $node) {
        Set-Outcome 'SETUP' 'node.exe is not on PATH: install Node.js 20 or newer.' 205
        return
    }
    $nodeVersion = (Invoke-Native -FilePath 'node.exe' -ArgumentList @('--version')).Output.Trim()
    Write-Host "node $nodeVersion ($(@($node)[0].Path))"
    $major = 0
    if ($nodeVersion -match '^v(\d+)\.') { $major = [int]$Matches[1] }
    if ($major -lt 20) { $script:Hints.Add("node $nodeVersion is older than the Node 20 this harness is tested with.") }
    $mocha = Join-Path $RepoRoot 'node_modules\mocha\bin\mocha.js'
    $tsc = Join-Path $RepoRoot 'node_modules\typescript\bin\tsc'
    if (-not (Test-Path -LiteralPath $mocha) -or -not (Test-Path -LiteralPath $tsc)) {
        Set-Outcome 'SETUP' "node_modules is missing mocha or typescript: run 'npm ci' in $RepoRoot first." 205
        return
    }

    if ($SkipSigning) {
        Write-Step 'Signing skipped (-SkipSigning)'
        $script:DriverPath = $unsigned
        $signature = Get-AuthenticodeSignature -LiteralPath $unsigned
        Write-Host "signature: $($signature.Status) $(if ($signature.SignerCertificate) { $signature.SignerCertificate.Subject })"
        if ([string]$signature.Status -eq 'NotSigned') {
            $script:Hints.Add("-SkipSigning with an unsigned driver ($unsigned): expect 577 ERROR_INVALID_IMAGE_HASH.")
        }
    } else {
        Write-Step 'Signing'
        $signedDir = Join-Path $OutputDir 'signed'
        $null = New-Item -ItemType Directory -Path $signedDir -Force
        $copy = Join-Path $signedDir (Split-Path -Leaf $unsigned)
        Copy-Item -LiteralPath $unsigned -Destination $copy -Force
        $pdb = [IO.Path]::ChangeExtension($unsigned, '.pdb')
        if (Test-Path -LiteralPath $pdb) { Copy-Item -LiteralPath $pdb -Destination $signedDir -Force }
        try {
            $cert = @(& (Join-Path $PSScriptRoot 'New-TestCertificate.ps1'))[-1]
            $signed = @(& (Join-Path $PSScriptRoot 'Sign-Driver.ps1') -Path $copy -CertificateThumbprint $cert.Thumbprint `
                -TimestampUrl $TimestampUrl -LogPath (Join-Path $OutputDir 'signing.txt'))
        } catch {
            Set-Outcome 'SIGNING_FAILED' "signing failed: $($_.Exception.Message)" 204
            return
        }
        foreach ($s in $signed) {
            if (-not $s.Verified) { $script:Hints.Add("signtool verify /pa failed for $($s.Path): the test certificate is not trusted here.") }
        }
        $script:DriverPath = $copy
    }

    Write-Step 'Build: TypeScript (lib -> dist) and the Node-API addon'
    $buildLog = Join-Path $OutputDir 'build.txt'
    Push-Location -LiteralPath $RepoRoot
    try {
        if (-not $SkipTypeScriptBuild) {
            $r = Invoke-Native -FilePath 'node.exe' -ArgumentList @($tsc, '-p', (Join-Path $RepoRoot 'tsconfig.json')) -LogPath $buildLog -Echo
            if ($r.ExitCode -ne 0) {
                Set-Outcome 'SETUP' 'the TypeScript build (tsc -p tsconfig.json) failed: see build.txt.' 205
                return
            }
        }
        $nativeJs = Join-Path $RepoRoot 'dist\native.js'
        if (-not (Test-Path -LiteralPath $nativeJs)) {
            Set-Outcome 'SETUP' "$nativeJs is missing: build the TypeScript (drop -SkipTypeScriptBuild)." 205
            return
        }
        $r = Invoke-Native -FilePath 'node.exe' -ArgumentList @('-e', 'require(process.argv[1]).loadBinding()', $nativeJs) -LogPath $buildLog
        if ($r.ExitCode -ne 0) {
            Set-Outcome 'SETUP' ("the Node-API addon does not load: run 'npm ci' (node-gyp builds it with MSVC; needs " +
                'the Visual Studio C++ build tools). See build.txt.') 205
            return
        }
        Write-Host 'addon loads.'

        Write-Step "Driver suite: WSKCONNECT_SYS=$($script:DriverPath)"
        $previousSys = $env:WSKCONNECT_SYS
        $env:WSKCONNECT_SYS = $script:DriverPath
        try {
            $script:MochaRan = $true
            $m = Invoke-Native -FilePath 'node.exe' -ArgumentList @($mocha, '--reporter', 'spec', '--timeout', "$MochaTimeoutMs",
                '--exit', 'test/windows/wskDriver.test.js') -LogPath (Join-Path $OutputDir 'mocha.txt') -Echo
            $script:MochaExit = $m.ExitCode
            $script:MochaText = $m.Output
        } finally {
            $env:WSKCONNECT_SYS = $previousSys
        }
    } finally {
        Pop-Location
    }
}

# ---------------------------------------------------------------------------
# Diagnostics and cleanup (always)
# ---------------------------------------------------------------------------
function Save-EventLog {
    param(
        [Parameter(Mandatory = $true)][hashtable]$Filter,
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][string]$Title
    )
    $events = @()
    $text = ''
    try {
        $events = @(Get-WinEvent -FilterHashtable $Filter -ErrorAction Stop | Sort-Object -Property TimeCreated)
        $text = ($events | Format-List -Property @('TimeCreated', 'Id', 'ProviderName', 'LevelDisplayName', 'Message') | Out-String -Width 4096)
    } catch {
        if ([string]$_.FullyQualifiedErrorId -like 'NoMatchingEventsFound*') {
            $text = '(no events in this window)'
        } else {
            $text = "(could not read the log: $($_.Exception.Message))"
        }
    }
    Save-Log -Name $Name -Text ("$Title`r`nsince $($EventsSince.ToString('yyyy-MM-dd HH:mm:ss'))`r`n`r`n$text")
    return $events
}

function Save-Diagnostics {
    Write-Step 'Diagnostics'
    $serviceLog = Join-Path $OutputDir 'service.txt'
    $null = Invoke-Native -FilePath 'sc.exe' -ArgumentList @('query', $ServiceName) -LogPath $serviceLog
    $null = Invoke-Native -FilePath 'sc.exe' -ArgumentList @('qc', $ServiceName) -LogPath $serviceLog
    $state = Get-DriverServiceState -Name $ServiceName
    Write-Utf8File -Path $serviceLog -Text "Win32_SystemDriver state: $state`r`n" -Append
    Write-Host "service $ServiceName after the suite: $state"
    if ($state -eq 'Stop Pending') { $script:StuckStopPending = $true }

    try {
        $dq = Invoke-Native -FilePath 'driverquery.exe' -ArgumentList @('/v', '/fo', 'csv')
        $rows = @($dq.Output -split "`r?`n")
        $matching = @($rows | Where-Object { $_ -like ('"' + $ServiceName + '",*') })
        $text = @($rows[0]) + $matching
        if ($matching.Count -eq 0) { $text += "(no driver named $ServiceName is registered now)" }
        Save-Log -Name 'driverquery.txt' -Text ($text -join "`r`n")
    } catch {
        Save-Log -Name 'driverquery.txt' -Text "driverquery failed: $($_.Exception.Message)"
    }

    $scm = @(Save-EventLog -Name 'scm-events.txt' -Title 'System log, provider Service Control Manager' `
        -Filter @{ LogName = 'System'; ProviderName = 'Service Control Manager'; StartTime = $EventsSince })
    $ci = @(Save-EventLog -Name 'codeintegrity-events.txt' -Title 'Microsoft-Windows-CodeIntegrity/Operational' `
        -Filter @{ LogName = 'Microsoft-Windows-CodeIntegrity/Operational'; StartTime = $EventsSince })

    foreach ($e in $scm) {
        if (($e.Level -eq 1 -or $e.Level -eq 2) -and [string]$e.Message -match [regex]::Escape($ServiceName)) {
            $first = @(([string]$e.Message) -split "`r?`n")[0]
            $script:Hints.Add("SCM event $($e.Id) at $($e.TimeCreated.ToString('HH:mm:ss')): $first")
        }
    }
    $driverFile = Split-Path -Leaf $SysPath
    $ours = @($ci | Where-Object { [string]$_.Message -match [regex]::Escape($driverFile) })
    if ($ours.Count -gt 0) {
        $ids = ($ours | ForEach-Object { $_.Id } | Sort-Object -Unique) -join ', '
        $script:Hints.Add("$($ours.Count) CodeIntegrity event(s) name $driverFile (event ids $ids): see codeintegrity-events.txt.")
    }
}

function Invoke-Cleanup {
    Write-Step "Cleanup: stop and delete $ServiceName"
    $log = Join-Path $OutputDir 'cleanup.txt'
    $state = Get-DriverServiceState -Name $ServiceName
    Write-Utf8File -Path $log -Text "state before cleanup: $state`r`n`r`n"
    if ($state -eq 'NotInstalled') {
        Write-Utf8File -Path $log -Text "nothing to clean up (the suite removed the service).`r`n" -Append
        Write-Host 'nothing to clean up.'
        return
    }
    if ($state -ne 'Stopped') {
        $null = Invoke-Native -FilePath 'sc.exe' -ArgumentList @('stop', $ServiceName) -LogPath $log -Echo
        $deadline = (Get-Date).AddSeconds($StopTimeoutSeconds)
        while ((Get-Date) -lt $deadline) {
            $state = Get-DriverServiceState -Name $ServiceName
            if ($state -eq 'Stopped' -or $state -eq 'NotInstalled') { break }
            Start-Sleep -Milliseconds 500
        }
        Write-Utf8File -Path $log -Text "state after stop: $state`r`n`r`n" -Append
        if ($state -eq 'Stop Pending') { $script:StuckStopPending = $true }
    }
    $null = Invoke-Native -FilePath 'sc.exe' -ArgumentList @('delete', $ServiceName) -LogPath $log -Echo
    $after = Get-DriverServiceState -Name $ServiceName
    Write-Utf8File -Path $log -Text "state after delete: $after`r`n" -Append
    if ($after -ne 'NotInstalled') {
        Write-Utf8File -Path $log -Text "(still registered: marked for deletion; it goes once the driver unloads and the last handle closes, or after a reboot)`r`n" -Append
    }
    Write-Host "service $ServiceName after cleanup: $after"
}

# ---------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------
function Get-Findings {
    $findings = New-Object System.Collections.Generic.List[object]
    # Only a failed run's failure report is searched: a passing run prints test
    # titles, which may name error codes.
    $text = ''
    if ($script:MochaRan -and $script:MochaExit -ne 0) {
        $text = $script:MochaText
        $failingAt = $text.IndexOf(' failing')
        if ($failingAt -ge 0) { $text = $text.Substring($failingAt) }
    }
    $hvci = 'unknown'
    if ($null -ne $script:TestSigning) { $hvci = Format-Tristate $script:TestSigning.HvciRunning }

    if ($text -match 'ERROR_DRIVER_BLOCKED|WIN32_ERROR_1275\b') {
        $findings.Add([pscustomobject]@{ Key = 'DRIVER_BLOCKED'; Text = (
            "1275 ERROR_DRIVER_BLOCKED: blocked by policy. HVCI / memory integrity (running here: $hvci) refuses the " +
            'image, or the Microsoft vulnerable-driver blocklist matched it. On a test VM turn off Windows Security > ' +
            'Device security > Core isolation > Memory integrity, reboot, and run again; see codeintegrity-events.txt.') })
    }
    if ($text -match 'ERROR_INVALID_IMAGE_HASH|WIN32_ERROR_577\b') {
        $findings.Add([pscustomobject]@{ Key = 'BAD_SIGNATURE'; Text = (
            '577 ERROR_INVALID_IMAGE_HASH: bad signature. The .sys is unsigned or changed after signing, test signing ' +
            'is off in this boot (bcdedit /set testsigning on, reboot), or the certificate is not trusted ' +
            '(New-TestCertificate.ps1). See signing.txt, environment.txt and codeintegrity-events.txt.') })
    }
    if ($text -match 'ERROR_ACCESS_DENIED') {
        $findings.Add([pscustomobject]@{ Key = 'ACCESS_DENIED'; Text = (
            '5 ERROR_ACCESS_DENIED: not elevated. The SCM calls and the \\.\WskConnect device (SYSTEM and ' +
            'Administrators only) need an elevated process.') })
    }
    if ($script:StuckStopPending -or $text -match 'ERROR_SERVICE_REQUEST_TIMEOUT|STOP_PENDING') {
        $findings.Add([pscustomobject]@{ Key = 'STOP_PENDING'; Text = (
            "service stuck in STOP_PENDING (1053 ERROR_SERVICE_REQUEST_TIMEOUT): DriverUnload did not return. " +
            'The driver stays loaded until a reboot (sc.exe delete only marks it for deletion): reboot before the next run.') })
    }
    return $findings
}

function Write-Classification {
    $lines = New-Object System.Collections.Generic.List[string]
    $exitCode = 210
    $primary = $null

    if ($null -ne $script:Outcome) {
        $primary = $script:Outcome
        $exitCode = $script:Outcome.ExitCode
        foreach ($f in (Get-Findings)) { if ($f.Key -ne $primary.Key) { $lines.Add("ALSO: $($f.Key) - $($f.Text)") } }
    } elseif ($script:MochaRan) {
        $passing = Get-MochaCount 'passing'
        $failing = Get-MochaCount 'failing'
        $pending = Get-MochaCount 'pending'
        $findings = @(Get-Findings)
        if ($findings.Count -gt 0) {
            $primary = $findings[0]
            for ($i = 1; $i -lt $findings.Count; $i++) { $lines.Add("ALSO: $($findings[$i].Key) - $($findings[$i].Text)") }
        } elseif ($script:MochaExit -ne 0) {
            $primary = [pscustomobject]@{ Key = 'TEST_FAILURES'; Text = (
                "$failing failing test(s), no driver-loading error recognised (mocha exit code $($script:MochaExit)): see mocha.txt.") }
        } elseif ($passing -eq 0) {
            $primary = [pscustomobject]@{ Key = 'NOT_RUN'; Text = (
                "mocha passed but no test ran ($pending pending): the suite skipped itself; see mocha.txt.") }
        } else {
            $primary = [pscustomobject]@{ Key = 'PASS'; Text = "$passing passing, $pending pending." }
        }
        if ($script:MochaExit -ne 0) {
            $exitCode = $script:MochaExit
        } elseif ($primary.Key -eq 'PASS') {
            $exitCode = 0
        } else {
            $exitCode = 1
        }
        $lines.Insert(0, "mocha: $passing passing, $failing failing, $pending pending (exit code $($script:MochaExit))")
    } else {
        $primary = [pscustomobject]@{ Key = 'HARNESS_ERROR'; Text = 'the harness stopped before the suite ran; see harness-transcript.txt.' }
    }

    foreach ($h in $script:Hints) { $lines.Add("HINT: $h") }
    $summary = "RESULT: $($primary.Key) - $($primary.Text)"
    $all = @($summary) + $lines.ToArray() + @("logs: $OutputDir", "exit code: $exitCode")
    Save-Log -Name 'classification.txt' -Text (($all -join "`r`n") + "`r`n")

    Write-Host ''
    $color = 'Red'
    if ($primary.Key -eq 'PASS') { $color = 'Green' }
    foreach ($l in $all) { Write-Host $l -ForegroundColor $color }

    if ($env:GITHUB_ACTIONS -eq 'true') {
        if ($primary.Key -ne 'PASS') { Write-Host "::error title=WskConnect driver tests::$summary" }
        if ($env:GITHUB_STEP_SUMMARY) {
            $md = "### WskConnect driver tests`n`n" + (($all | ForEach-Object { "    $_" }) -join "`n") + "`n"
            Write-Utf8File -Path $env:GITHUB_STEP_SUMMARY -Text $md -Append
        }
    }
    return $exitCode
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
$transcript = $false
try {
    $null = Start-Transcript -Path (Join-Path $OutputDir 'harness-transcript.txt') -Force
    $transcript = $true
} catch {
    Write-Warning "no transcript: $($_.Exception.Message)"
}
$previousEncoding = $null
try {
    $previousEncoding = [Console]::OutputEncoding
    [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding($false)
} catch {
    $previousEncoding = $null
}

$exitCode = 210
try {
    try {
        Invoke-Run
    } catch {
        Set-Outcome 'HARNESS_ERROR' "unexpected error: $($_.Exception.Message) ($($_.InvocationInfo.PositionMessage -replace '\s+', ' '))" 210
    }
    # Always, even after a failed precondition: a service left by an earlier run
    # is stopped and deleted too (without elevation sc.exe logs access denied).
    try { Save-Diagnostics } catch { $script:Hints.Add("diagnostics failed: $($_.Exception.Message)") }
    try { Invoke-Cleanup } catch { $script:Hints.Add("cleanup failed: $($_.Exception.Message)") }
    $exitCode = Write-Classification
} finally {
    if ($null -ne $previousEncoding) {
        try { [Console]::OutputEncoding = $previousEncoding } catch { }
    }
    if ($transcript) {
        try { $null = Stop-Transcript } catch { }
    }
}
exit $exitCode
