/* hacktool.yar - well-known offensive tools found in images, identified by
 * several of their characteristic strings (names, author tags, module and
 * command names, Go import paths). Rules written for comb. */

rule comb_hacktool_mimikatz
{
    meta:
        id = "COMB-MW-080"
        family = "mimikatz"
        category = "hacktool"
        severity = "critical"
        description = "mimikatz credential dumper (module::command names, kiwi and gentilkiwi markers)"
    strings:
        $n1 = "mimikatz" nocase ascii wide
        $n2 = "gentilkiwi" nocase ascii wide
        $c1 = "sekurlsa::logonpasswords" nocase ascii wide
        $c2 = "lsadump::sam" nocase ascii wide
        $c3 = "lsadump::dcsync" nocase ascii wide
        $c4 = "privilege::debug" nocase ascii wide
        $c5 = "kerberos::golden" nocase ascii wide
        $k1 = "kiwi_passwords" ascii wide
    condition:
        (1 of ($n*) and 2 of ($c*, $k1)) or 3 of ($c*)
}

rule comb_hacktool_linpeas
{
    meta:
        id = "COMB-MW-081"
        family = "linpeas"
        category = "hacktool"
        severity = "high"
        description = "LinPEAS / PEASS-ng privilege-escalation enumeration script"
    strings:
        $n1 = "linpeas" nocase
        $n2 = "PEASS-ng"
        $n3 = "peass-ng" nocase
        $n4 = "carlospolop"
        $s1 = "Privilege Escalation" nocase
        $s2 = /SUID|sudo -l/
    condition:
        filesize < 16MB and ($n1 and ($n2 or $n3 or $n4)) and ($s1 or $s2)
}

rule comb_hacktool_linenum
{
    meta:
        id = "COMB-MW-082"
        family = "linenum"
        category = "hacktool"
        severity = "high"
        description = "LinEnum / linux-exploit-suggester local enumeration scripts"
    strings:
        $le1 = "LinEnum" nocase
        $le2 = "rebootuser" nocase
        $le3 = "Local Linux Enumeration" nocase
        $les1 = "linux-exploit-suggester" nocase
        $les2 = /\bmzet\b/
        $les3 = "Exploit Suggester" nocase
    condition:
        filesize < 4MB and (2 of ($le*) or 2 of ($les*))
}

rule comb_hacktool_meterpreter
{
    meta:
        id = "COMB-MW-083"
        family = "metasploit"
        category = "hacktool"
        severity = "critical"
        description = "Metasploit meterpreter payload or stager (metsrv, stdapi/core TLV command names, ReflectiveLoader)"
    strings:
        $m1 = "metsrv" nocase ascii wide
        $m2 = "meterpreter" nocase ascii wide
        $c1 = "stdapi_sys_process_execute" ascii wide
        $c2 = "stdapi_fs_" ascii wide
        $c3 = "core_channel_open" ascii wide
        $c4 = "core_loadlib" ascii wide
        $c5 = "core_migrate" ascii wide
        $r1 = "ReflectiveLoader" ascii
        $msf = "msfvenom" nocase
    condition:
        (1 of ($m*) and 2 of ($c*)) or (3 of ($c*)) or ($r1 and $m1) or ($msf and $m2 and 1 of ($c*))
}

rule comb_hacktool_cobaltstrike
{
    meta:
        id = "COMB-MW-084"
        family = "cobaltstrike"
        category = "hacktool"
        severity = "critical"
        description = "Cobalt Strike beacon strings (beacon DLL names, the PowerShell download cradle on 127.0.0.1, job and service messages)"
    strings:
        $b1 = "beacon.dll" ascii wide
        $b2 = "beacon.x64.dll" ascii wide
        $s1 = "%s as %s\\%s: %d" ascii wide
        $s2 = "IEX (New-Object Net.Webclient).DownloadString('http://127.0.0.1:%u/')" ascii wide
        $s3 = "could not spawn %s: %d" ascii wide
        $s4 = "Started service %s on %s" ascii wide
        $s5 = "could not run command (w/ token) because of its length of %d bytes!" ascii wide
    condition:
        (1 of ($b*) and 2 of ($s*)) or 3 of ($s*)
}

rule comb_hacktool_chisel
{
    meta:
        id = "COMB-MW-085"
        family = "chisel"
        category = "hacktool"
        severity = "high"
        description = "chisel TCP/UDP tunnel over HTTP (Go import paths and protocol version)"
    strings:
        $pkg = "github.com/jpillora/chisel"
        $proto = "chisel-v3"
        $share = "jpillora/chisel/share"
        $client = "chisel/client"
        $server = "chisel/server"
    condition:
        $pkg and 2 of ($proto, $share, $client, $server)
}

rule comb_hacktool_pspy
{
    meta:
        id = "COMB-MW-086"
        family = "pspy"
        category = "hacktool"
        severity = "medium"
        description = "pspy unprivileged process snooper (Go import path and banner)"
    strings:
        $pkg = "github.com/dominicbreuker/pspy"
        $inner = "pspy/internal"
        $banner = /pspy\s{0,4}-\s{0,4}version/
        $watch = "Draining file system events"
    condition:
        $pkg and ($inner or $banner or $watch)
}

rule comb_hacktool_c2_implant
{
    meta:
        id = "COMB-MW-087"
        family = "c2-implant"
        category = "hacktool"
        severity = "critical"
        description = "Sliver or Ligolo-ng command-and-control / tunnelling implant (Go import paths)"
    strings:
        $sliver1 = "github.com/bishopfox/sliver"
        $sliver2 = "sliverpb"
        $sliver3 = "implant/sliver"
        $ligolo1 = "github.com/nicocha30/ligolo-ng"
        $ligolo2 = "ligolo-ng/pkg/agent"
    condition:
        2 of ($sliver*) or 2 of ($ligolo*)
}

rule comb_hacktool_pwnkit
{
    meta:
        id = "COMB-MW-088"
        family = "pwnkit"
        category = "hacktool"
        severity = "critical"
        description = "PwnKit (CVE-2021-4034) pkexec exploit: GCONV_PATH injection with a gconv-modules charset"
    strings:
        $gconv = "GCONV_PATH=" ascii
        $pkexec = "pkexec" ascii
        $charset = "CHARSET=" nocase ascii
        $modules = "gconv-modules" ascii
        $shell = "SHELL=" ascii
    condition:
        filesize < 4MB and $gconv and $pkexec and $charset and ($modules or $shell)
}
