<#
.SYNOPSIS
    Creates (or reuses) a code-signing test certificate for the WskConnect driver
    and makes this machine trust it.

.DESCRIPTION
    1. Looks in Cert:\CurrentUser\My for a valid code-signing certificate with
       -Subject and a private key; creates one with New-SelfSignedCertificate
       (-Type CodeSigningCert, SHA256, RSA 2048, exportable key) when there is
       none or when -Force is given.
    2. Exports its public part to a .cer file (-CerPath).
    3. Imports that .cer into Cert:\LocalMachine\Root and
       Cert:\LocalMachine\TrustedPublisher, so signatures made with it verify
       ('signtool verify /pa') and Windows treats the publisher as trusted.

    Step 3 changes machine-wide trust, so the script needs an elevated
    PowerShell and checks for one before doing anything.

    ONLY for a disposable, test-signed VM or CI runner: anyone holding the
    private key can sign code this machine trusts. To undo:
        Remove-Item Cert:\LocalMachine\Root\<thumbprint>
        Remove-Item Cert:\LocalMachine\TrustedPublisher\<thumbprint>
        Remove-Item Cert:\CurrentUser\My\<thumbprint>

    Writes the certificate (an X509Certificate2) to the pipeline.
    Windows PowerShell 5.1 compatible.

.PARAMETER Subject
    Subject of the certificate. Sign-Driver.ps1 looks for the same default.

.PARAMETER CerPath
    Where to export the public certificate. Default:
    <repo>\.cache\driver-signing\WskConnectTest.cer

.PARAMETER ValidYears
    Validity of a newly created certificate, in years (default 2).

.PARAMETER Force
    Create a new certificate even if a usable one exists.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File .\scripts\driver\New-TestCertificate.ps1

.EXAMPLE
    $cert = & .\scripts\driver\New-TestCertificate.ps1 -Force
    $cert.Thumbprint
#>
[CmdletBinding()]
param(
    [ValidateNotNullOrEmpty()][string]$Subject = 'CN=WskConnect Test Signing',
    [string]$CerPath = '',
    [ValidateRange(1, 20)][int]$ValidYears = 2,
    [switch]$Force
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'DriverHarnessCommon.ps1')

Assert-Administrator -Action 'Trusting the test certificate (LocalMachine\Root and LocalMachine\TrustedPublisher)'

if (-not $CerPath) {
    $CerPath = Join-Path (Join-Path (Get-RepoRoot) '.cache\driver-signing') 'WskConnectTest.cer'
}
$cerDir = Split-Path -Parent $CerPath
if ($cerDir -and -not (Test-Path -LiteralPath $cerDir)) {
    $null = New-Item -ItemType Directory -Path $cerDir -Force
}

$cert = $null
if (-not $Force) {
    $cert = @(Get-ChildItem -Path 'Cert:\CurrentUser\My' -CodeSigningCert |
        Where-Object { $_.Subject -eq $Subject -and $_.HasPrivateKey -and $_.NotAfter -gt (Get-Date).AddDays(1) } |
        Sort-Object -Property NotAfter -Descending) | Select-Object -First 1
}

if ($null -ne $cert) {
    Write-Host "Reusing test certificate $($cert.Thumbprint) ($Subject, valid until $($cert.NotAfter.ToString('yyyy-MM-dd')))."
} else {
    $cert = New-SelfSignedCertificate `
        -Type CodeSigningCert `
        -Subject $Subject `
        -FriendlyName 'WskConnect driver test signing (test VMs only)' `
        -CertStoreLocation 'Cert:\CurrentUser\My' `
        -KeyExportPolicy Exportable `
        -KeyAlgorithm RSA `
        -KeyLength 2048 `
        -HashAlgorithm SHA256 `
        -NotAfter (Get-Date).AddYears($ValidYears)
    Write-Host "Created test certificate $($cert.Thumbprint) ($Subject) in Cert:\CurrentUser\My."
}

$null = Export-Certificate -Cert $cert -FilePath $CerPath -Type CERT -Force
Write-Host "Exported the public certificate to $CerPath."

foreach ($store in @('Root', 'TrustedPublisher')) {
    $location = "Cert:\LocalMachine\$store"
    if (Test-Path -LiteralPath (Join-Path $location $cert.Thumbprint)) {
        Write-Host "Already trusted in LocalMachine\$store."
    } else {
        $null = Import-Certificate -FilePath $CerPath -CertStoreLocation $location
        Write-Host "Imported into LocalMachine\$store."
    }
}

Write-Output $cert
