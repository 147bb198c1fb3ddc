<#
.SYNOPSIS
    Test-signs wskconnect.sys (and, if there is an INF, its catalog) with signtool.

.DESCRIPTION
    Signs each -Path in place with signtool.exe from the Windows Kits (the newest
    installed version, x64 flavour), SHA256 file digest, using a code-signing
    certificate from Cert:\CurrentUser\My (see New-TestCertificate.ps1).

    Timestamping is OFF by default, because test VMs are often offline; pass
    -TimestampUrl (an RFC 3161 server) to turn it on. A test-signed driver loads
    without a timestamp while the certificate is valid.

    INF / catalog (optional): the WskConnect driver is installed through the
    Service Control Manager (CreateService, SERVICE_KERNEL_DRIVER) without an
    INF, so only the signature embedded in the .sys is checked when it loads.
    If an INF is given with -InfPath, or one named like the driver sits next to
    it (wskconnect.inf), Inf2Cat.exe builds the catalog named by the INF's
    CatalogFile directive and that catalog is signed too, for a PnP-style
    package (pnputil). The INF must list the .sys in SourceDisksFiles.

    After signing, 'signtool verify /pa' checks the signature. A failure there
    is reported as a warning (the certificate is not trusted on this machine:
    run New-TestCertificate.ps1 elevated); with test signing on, the kernel
    loads test-signed drivers whether or not the certificate chains to a
    trusted root, as long as the image is signed.

    Writes one object per signed file (Path, Thumbprint, Timestamped, Verified).
    Windows PowerShell 5.1 compatible.

.PARAMETER Path
    The .sys file(s) to sign, in place.

.PARAMETER CertificateThumbprint
    Thumbprint of the signing certificate in Cert:\CurrentUser\My. Default: the
    newest valid code-signing certificate whose subject is -CertificateSubject.

.PARAMETER CertificateSubject
    Subject to look for when no thumbprint is given (New-TestCertificate.ps1's default).

.PARAMETER TimestampUrl
    RFC 3161 timestamp server URL. Empty (default): no timestamp.

.PARAMETER InfPath
    INF to build a catalog for. Default: <driver name>.inf next to the first .sys, if present.

.PARAMETER Inf2CatOs
    Inf2Cat /os: value (default 10_X64).

.PARAMETER SignToolPath
    signtool.exe to use instead of the newest one under Windows Kits\10\bin.

.PARAMETER LogPath
    Append signtool / Inf2Cat command lines and output to this file.

.EXAMPLE
    .\scripts\driver\Sign-Driver.ps1 -Path .\native\driver\x64\Release\wskconnect.sys

.EXAMPLE
    .\scripts\driver\Sign-Driver.ps1 -Path C:\drv\wskconnect.sys -TimestampUrl $TimestampServerUrl

    $TimestampServerUrl holds the URL of your CA's RFC 3161 timestamp server
    (the machine must be online for this).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string[]]$Path,
    [string]$CertificateThumbprint = '',
    [string]$CertificateSubject = 'CN=WskConnect Test Signing',
    [string]$TimestampUrl = '',
    [string]$InfPath = '',
    [string]$Inf2CatOs = '10_X64',
    [string]$SignToolPath = '',
    [string]$LogPath = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'DriverHarnessCommon.ps1')

# --- signtool -------------------------------------------------------------
if (-not $SignToolPath) {
    $SignToolPath = Find-KitTool -Name 'signtool.exe' -Arch 'x64'
}
if (-not $SignToolPath) {
    $onPath = Get-Command -Name 'signtool.exe' -CommandType Application -ErrorAction SilentlyContinue
    if ($onPath) { $SignToolPath = @($onPath)[0].Path }
}
if (-not $SignToolPath -or -not (Test-Path -LiteralPath $SignToolPath)) {
    throw ('signtool.exe not found. Install the Windows SDK or WDK (it lives in ' +
        '"Windows Kits\10\bin\<version>\x64\signtool.exe"), or pass -SignToolPath.')
}
Write-Host "signtool: $SignToolPath"

# --- certificate ----------------------------------------------------------
$cert = $null
if ($CertificateThumbprint) {
    $thumb = ($CertificateThumbprint -replace '\s', '').ToUpperInvariant()
    $candidate = Join-Path 'Cert:\CurrentUser\My' $thumb
    if (Test-Path -LiteralPath $candidate) { $cert = Get-Item -LiteralPath $candidate }
    if ($null -eq $cert) { throw "No certificate $thumb in Cert:\CurrentUser\My." }
} else {
    $cert = @(Get-ChildItem -Path 'Cert:\CurrentUser\My' -CodeSigningCert |
        Where-Object { $_.Subject -eq $CertificateSubject -and $_.HasPrivateKey -and $_.NotAfter -gt (Get-Date) } |
        Sort-Object -Property NotAfter -Descending) | Select-Object -First 1
    if ($null -eq $cert) {
        throw ("No valid code-signing certificate '$CertificateSubject' with a private key in " +
            'Cert:\CurrentUser\My. Run scripts\driver\New-TestCertificate.ps1 (elevated) first.')
    }
}
if (-not $cert.HasPrivateKey) { throw "Certificate $($cert.Thumbprint) has no private key: it cannot sign." }
Write-Host "certificate: $($cert.Subject) $($cert.Thumbprint)"

function Invoke-SignTool {
    param([Parameter(Mandatory = $true)][string]$File)
    $arguments = @('sign', '/v', '/fd', 'SHA256', '/sha1', $cert.Thumbprint, '/s', 'My')
    if ($TimestampUrl) { $arguments += @('/tr', $TimestampUrl, '/td', 'SHA256') }
    $arguments += $File
    $result = Invoke-Native -FilePath $SignToolPath -ArgumentList $arguments -LogPath $LogPath -Echo
    if ($result.ExitCode -ne 0) {
        throw "signtool sign failed for $File (exit code $($result.ExitCode)); see its output above."
    }
    $verify = Invoke-Native -FilePath $SignToolPath -ArgumentList @('verify', '/pa', '/v', $File) -LogPath $LogPath
    $verified = $verify.ExitCode -eq 0
    if (-not $verified) {
        Write-Warning ("signtool verify /pa failed for ${File}: the certificate is not trusted on this machine. " +
            'Run New-TestCertificate.ps1 elevated (it imports the certificate into LocalMachine\Root and TrustedPublisher).')
    }
    return [pscustomobject]@{
        Path        = $File
        Thumbprint  = $cert.Thumbprint
        Timestamped = [bool]$TimestampUrl
        Verified    = $verified
    }
}

# --- the driver files -----------------------------------------------------
$files = New-Object System.Collections.Generic.List[string]
foreach ($p in $Path) {
    if (-not (Test-Path -LiteralPath $p -PathType Leaf)) { throw "Driver file not found: $p" }
    $files.Add((Resolve-Path -LiteralPath $p).Path)
}
if (-not $TimestampUrl) { Write-Host 'Timestamping is off (pass -TimestampUrl to turn it on).' }

$results = New-Object System.Collections.Generic.List[object]
foreach ($file in $files) {
    $results.Add((Invoke-SignTool -File $file))
}

# --- optional INF -> catalog ----------------------------------------------
if (-not $InfPath) {
    $first = $files[0]
    $guess = Join-Path (Split-Path -Parent $first) ([IO.Path]::GetFileNameWithoutExtension($first) + '.inf')
    if (Test-Path -LiteralPath $guess) { $InfPath = $guess }
}
if (-not $InfPath) {
    Write-Host ('No INF next to the driver: no catalog to make. WskConnect is installed through the SCM ' +
        '(CreateService) without an INF, so the signature embedded in the .sys is what Windows checks.')
} else {
    if (-not (Test-Path -LiteralPath $InfPath -PathType Leaf)) { throw "INF not found: $InfPath" }
    $InfPath = (Resolve-Path -LiteralPath $InfPath).Path
    $inf2cat = Find-KitTool -Name 'Inf2Cat.exe' -Arch 'x86'
    if (-not $inf2cat) { throw 'Inf2Cat.exe not found under Windows Kits\10\bin\<version>\x86: install the WDK.' }
    $infDir = Split-Path -Parent $InfPath
    $catalogNames = @(Select-String -LiteralPath $InfPath -Pattern '^\s*CatalogFile(\.[A-Za-z0-9]+)?\s*=\s*([^\s;]+)' |
        ForEach-Object { $_.Matches[0].Groups[2].Value } | Sort-Object -Unique)
    if ($catalogNames.Count -eq 0) { throw "$InfPath has no CatalogFile directive in [Version]: Inf2Cat would make no catalog." }
    Write-Host "Inf2Cat: $inf2cat (/os:$Inf2CatOs)"
    $r = Invoke-Native -FilePath $inf2cat -ArgumentList @("/driver:$infDir", "/os:$Inf2CatOs", '/uselocaltime') -LogPath $LogPath -Echo
    if ($r.ExitCode -ne 0) { throw "Inf2Cat failed (exit code $($r.ExitCode)); see its output above." }
    foreach ($name in $catalogNames) {
        $catalog = Join-Path $infDir $name
        if (-not (Test-Path -LiteralPath $catalog)) { throw "Inf2Cat did not produce $catalog." }
        $results.Add((Invoke-SignTool -File $catalog))
    }
}

foreach ($item in $results) { Write-Output $item }
